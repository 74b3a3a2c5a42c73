"""Deliveries, the job handler: failed sends are retried or parked, stale and duplicate jobs do nothing."""

from __future__ import annotations

from datetime import timedelta

from bot.cases.desk import SupportDesk
from bot.config import parse_config
from bot.i18n import t
from bot.knowledge import KnowledgeBase
from bot.models import Case, Identity, Platform
from bot.ports import DeliveryError
from bot.storage.jobs import NewJob
from bot.storage.store import Store
from bot.timers.worker import JobWorker, Kind
from tests.conftest import deliveries_for
from tests.fakes.clock import FakeClock
from tests.fakes.recording_notifier import RecordingNotifier

KASIA = Identity(Platform.SLACK, "U0KASIA")
URGENT_PL = {"summary": "Card terminal rejects every payment", "priority": "urgent", "region": "PL"}


async def escalate(desk: SupportDesk, *, user: Identity = KASIA) -> Case:
    return (await desk.escalate(desk.directory.actor(user), URGENT_PL, client_key="form-1")).case


async def statuses(desk: SupportDesk, case: Case, kind: Kind) -> list[str]:
    return [j.status for j in await desk.store.jobs_of(case.id) if j.kind == kind]


async def test_a_rate_limited_card_post_is_retried_after_the_platforms_delay(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    notifier.fail_next.append(DeliveryError("ratelimited", retry_after=30))
    case = await escalate(desk)

    await worker.run_once()
    assert notifier.sent == []
    [job] = await desk.store.jobs(status="pending")
    assert job.due_at == clock() + timedelta(seconds=30) and job.last_error == "ratelimited"

    clock.advance(seconds=30)
    await worker.run_once()
    assert [s.target for s in notifier.sent][:1] and (await desk.case(case.id)).card is not None
    assert await statuses(desk, case, Kind.POST_CARD) == ["done"]


async def test_a_permanent_delivery_error_parks_the_job_and_reports_it(
    desk: SupportDesk, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    failed: list[str] = []
    worker = JobWorker(
        store=desk.store,
        handler=deliveries_for(desk, notifier),
        owner="w",
        clock=clock,
        on_failed=lambda job, why: failed.append(f"{job.kind}: {why}"),
    )
    notifier.fail_next.append(DeliveryError("channel_not_found", retryable=False))
    await escalate(desk)

    await worker.run_once()

    [parked] = await desk.store.failed_jobs()
    assert parked.kind == Kind.POST_CARD and parked.attempts == 1
    assert failed == ["post_card: channel_not_found"]


async def test_a_ping_that_keeps_failing_is_parked_after_the_last_attempt_not_dropped(
    desk: SupportDesk, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    worker = JobWorker(
        store=desk.store,
        handler=deliveries_for(desk, notifier),
        owner="w",
        clock=clock,
        max_attempts=3,
    )
    case = await escalate(desk)
    await worker.run_once()  # the card and the first ping go out
    notifier.fail_next.extend(DeliveryError("503") for _ in range(5))
    clock.advance(minutes=1)
    for _ in range(4):
        await worker.run_once()
        clock.advance(minutes=10)

    assert await statuses(desk, case, Kind.CLAIM_STEP) == ["done", "failed"]
    [parked] = await desk.store.failed_jobs()
    assert parked.attempts == 3 and parked.last_error == "503"


async def test_a_thread_message_waits_for_the_card(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    notifier.fail_next.append(DeliveryError("503"))
    case = await escalate(desk)
    await desk.store.add_jobs(
        [
            NewJob(
                Kind.NOTIFY,
                due_at=clock(),
                case_id=case.id,
                payload={"to": "thread", "key": "notify.claimed", "params": {"name": "Jan"}},
            )
        ],
        now=clock(),
    )
    await worker.run_once()
    assert notifier.sent == []
    assert await statuses(desk, case, Kind.NOTIFY) == ["pending"]

    clock.advance(minutes=1)
    await worker.run_once()
    card = (await desk.case(case.id)).card
    assert card is not None
    assert t("pl", "notify.claimed", name="Jan") in [r.text for r in notifier.in_thread(card)]
    assert await statuses(desk, case, Kind.NOTIFY) == ["done"]


async def test_a_step_planned_before_a_claim_is_skipped_without_a_message(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    [step] = [
        j for j in await desk.store.jobs_of(case.id) if j.kind == Kind.CLAIM_STEP and j.status == "pending"
    ]
    claimed = await desk.claim(desk.directory.actor(Identity(Platform.SLACK, "U0JAN")), case.id)
    assert step.fence is not None and claimed.fence != step.fence
    await worker.run_once()
    sent = len(notifier.sent)

    clock.advance(minutes=5)
    await worker.run_once()
    assert len(notifier.sent) == sent
    assert (await statuses(desk, case, Kind.CLAIM_STEP))[-1] == "skipped"


async def test_a_second_card_post_for_the_same_case_posts_nothing(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    posted = len(notifier.sent)
    await desk.store.add_jobs([NewJob(Kind.POST_CARD, due_at=clock(), case_id=case.id)], now=clock())
    await worker.run_once()
    assert len(notifier.sent) == posted
    assert await statuses(desk, case, Kind.POST_CARD) == ["done", "skipped"]
    assert await statuses(desk, case, Kind.CLAIM_STEP) == ["done", "pending"]  # one chain, not two


async def test_a_case_change_updates_the_posted_card(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    await desk.claim(desk.directory.actor(Identity(Platform.SLACK, "U0JAN")), case.id)
    await worker.run_once()
    [(ref, card)] = notifier.updates
    assert ref == (await desk.case(case.id)).card
    assert any("Jan Kowalski" in f.value for f in card.fields)


async def test_jobs_of_unknown_kind_or_without_a_case_are_parked(
    desk: SupportDesk, worker: JobWorker, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await desk.store.add_jobs(
        [
            NewJob("teleport", due_at=clock(), case_id=case.id),
            NewJob(Kind.NOTIFY, due_at=clock(), payload={"to": "jan", "key": "notify.note"}),
        ],
        now=clock(),
    )
    await worker.run_once()
    reasons = sorted(j.last_error or "" for j in await desk.store.failed_jobs())
    assert len(reasons) == 2
    assert "teleport" in reasons[1] and "does not exist" in reasons[0]


async def test_a_region_without_a_channel_on_the_cases_platform_parks_the_card_post(
    store: Store, knowledge: KnowledgeBase, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    config = parse_config(
        {
            "regions": {
                "PL": {"name": "Poland", "channels": {"slack": "C0PL"}, "layers": [{"people": ["jan"]}]}
            },
            "people": [
                {"id": "kasia", "name": "Kasia", "regions": ["PL"], "teams": "29:kasia"},
                {"id": "jan", "name": "Jan", "role": "coordinator", "regions": ["PL"], "slack": "U0JAN"},
            ],
        }
    )
    desk = SupportDesk(store=store, config=config, knowledge=lambda: knowledge, clock=clock)
    worker = JobWorker(store=store, handler=deliveries_for(desk, notifier), owner="w", clock=clock)
    await escalate(desk, user=Identity(Platform.TEAMS, "29:kasia"))
    await worker.run_once()
    [parked] = await store.failed_jobs()
    assert "teams" in (parked.last_error or "") and notifier.sent == []
