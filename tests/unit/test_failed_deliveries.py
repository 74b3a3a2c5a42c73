"""A delivery that fails for good never ends the chain silently, and a slow delivery is never run twice."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from app.server import create_services
from bot.cases.desk import SupportDesk
from bot.config import Config, Settings
from bot.i18n import t
from bot.models import Case, Identity, PersonId, Platform
from bot.ports import ChannelTarget, DeliveryError, PersonTarget, ThreadTarget
from bot.storage.jobs import Job, NewJob
from bot.storage.store import Store
from bot.timers.worker import DONE, Done, JobWorker, Kind
from tests.conftest import KB_PATH
from tests.fakes.clock import FakeClock
from tests.fakes.recording_notifier import RecordingNotifier

URGENT_PL = {"summary": "Card terminal rejects every payment", "priority": "urgent", "region": "PL"}
LEASE = timedelta(seconds=60)


def message_not_found() -> DeliveryError:
    return DeliveryError("slack: message_not_found (HTTP 200)", retryable=False, code="message_not_found")


async def escalate(desk: SupportDesk) -> Case:
    kasia = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    return (await desk.escalate(kasia, URGENT_PL, client_key="form-1")).case


def alert(lang: str, case: Case, what: str) -> str:
    return t(
        lang,
        "alert.delivery_failed",
        what=t(lang, what),
        case=case.ref,
        summary=case.summary,
        reason="message_not_found",
    )


async def test_a_step_that_fails_for_good_moves_on_and_the_channel_and_supervisors_are_told(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    start = clock()
    await worker.run_once()  # the card and the first ping
    sent_before = len(notifier.sent)

    notifier.fail_next.append(message_not_found())  # the second step's ping: the thread is gone
    clock.set(start + timedelta(minutes=1))
    await worker.run_once()

    channel, supervisor = notifier.sent[sent_before:]
    assert channel.target == ChannelTarget(Platform.SLACK, "C0PLCOORD")
    assert channel.reply.text == alert("pl", case, "alert.what.claim_step")  # the region's language
    duty = (await desk.roster.on_duty("PL", at=start)).people
    names = {m.name for m in channel.reply.mentions}
    assert names == {desk.directory.name(p) for p in [*duty, PersonId("ivana"), PersonId("maria")]}
    assert supervisor.target == PersonTarget(Platform.SLACK, "U0MARIA")
    assert supervisor.reply.text == alert("en", case, "alert.what.claim_step")  # Maria reads English
    steps = [(j.step, j.status) for j in await desk.store.jobs_of(case.id) if j.kind == Kind.CLAIM_STEP]
    assert steps == [(0, "done"), (1, "failed"), (2, "pending")]

    clock.set(start + timedelta(minutes=2))
    await worker.run_once()
    card = (await desk.case(case.id)).card
    assert card is not None
    last = notifier.sent[-1]
    assert last.target == ThreadTarget(card) and {m.name for m in last.reply.mentions} == {"Maria Zielińska"}


async def test_an_alert_that_fails_itself_is_parked_without_more_alerts(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    notifier.fail_next.extend(message_not_found() for _ in range(3))  # the step and both alerts
    clock.advance(minutes=1)
    await worker.run_once()

    jobs = await desk.store.jobs_of(case.id)
    assert [(j.kind, j.status) for j in jobs if j.kind == Kind.ALERT] == [("alert", "failed")] * 2
    assert len([j for j in jobs if j.kind == Kind.ALERT]) == 2


async def test_a_failed_card_post_tells_the_supervisors_in_their_language(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    notifier.fail_next.append(
        DeliveryError("slack: channel_not_found (HTTP 200)", retryable=False, code="channel_not_found")
    )
    case = await escalate(desk)
    await worker.run_once()

    to_maria = notifier.to_person("U0MARIA")
    assert [r.text for r in to_maria] == [
        t(
            "en",
            "alert.delivery_failed",
            what=t("en", "alert.what.post_card"),
            case=case.ref,
            summary=case.summary,
            reason="channel_not_found",
        )
    ]


async def test_metrics_count_failed_jobs_by_kind_and_reason(
    tmp_path: Path, config: Config, store: Store, clock: FakeClock
) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/m.db", kb_path=KB_PATH)
    services = create_services(settings, config, clock=clock, store=store)
    notifier = RecordingNotifier()
    services.notifier.add(Platform.SLACK, notifier)
    await escalate(services.desk)
    await services.worker.run_once()
    notifier.fail_next.append(message_not_found())
    clock.advance(minutes=1)
    await services.worker.run_once()

    text = services.metrics.render().decode()
    assert 'supportbot_jobs_failed_total{kind="claim_step",reason="message_not_found"} 1.0' in text


class Slow:
    """A delivery that takes as long as the test says: it waits for `release`."""

    def __init__(self) -> None:
        self.runs = 0
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, job: Job, now: datetime) -> Done:
        self.runs += 1
        self.started.set()
        await self.release.wait()
        return DONE


async def test_a_delivery_slower_than_its_lease_is_not_run_twice(any_store: Store, clock: FakeClock) -> None:
    slow = Slow()
    # The heartbeat's own timer is far off; the test beats by hand after moving the clock.
    first = JobWorker(store=any_store, handler=slow, owner="a", clock=clock, lease=LEASE, heartbeat=3600)
    second = JobWorker(store=any_store, handler=slow, owner="b", clock=clock, lease=LEASE)
    await any_store.add_jobs([NewJob("notify", due_at=clock())], now=clock())

    running = asyncio.create_task(first.run_once())
    await slow.started.wait()
    clock.advance(LEASE * 3)  # the delivery has now taken three leases' time
    await first.beat()

    assert await second.run_once() == 0  # the lease was extended: nobody else takes the job
    slow.release.set()
    assert await running == 1
    assert slow.runs == 1 and await any_store.job_counts() == {"done": 1}


async def test_without_a_heartbeat_an_expired_lease_is_taken_over(any_store: Store, clock: FakeClock) -> None:
    """The counterpart of the test above: the beat is what keeps the job from running twice."""
    slow = Slow()
    first = JobWorker(store=any_store, handler=slow, owner="a", clock=clock, lease=LEASE, heartbeat=3600)
    second = JobWorker(store=any_store, handler=DoneAtOnce(), owner="b", clock=clock, lease=LEASE)
    await any_store.add_jobs([NewJob("notify", due_at=clock())], now=clock())

    running = asyncio.create_task(first.run_once())
    await slow.started.wait()
    clock.advance(LEASE * 3)
    assert await second.run_once() == 1
    slow.release.set()
    await running


class DoneAtOnce:
    async def __call__(self, job: Job, now: datetime) -> Done:
        return DONE
