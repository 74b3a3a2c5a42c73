"""The claim chain end to end: desk -> jobs -> Deliveries -> notifier, on the demo config and a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.cases.desk import SupportDesk
from bot.config import Config, parse_config
from bot.i18n import t
from bot.knowledge import KnowledgeBase
from bot.models import Actor, Case, Identity, PersonId, Platform
from bot.ports import ChannelTarget, PersonTarget, ThreadTarget
from bot.replies import Reply
from bot.storage.store import Store
from bot.timers.worker import JobWorker
from tests.conftest import deliveries_for
from tests.fakes.clock import FakeClock
from tests.fakes.recording_notifier import RecordingNotifier

URGENT_PL = {"summary": "Card terminal rejects every payment", "priority": "urgent", "region": "PL"}


def actor(desk: SupportDesk, slack_user: str) -> Actor:
    return desk.directory.actor(Identity(Platform.SLACK, slack_user))


async def escalate(desk: SupportDesk, values: dict[str, str] = URGENT_PL, key: str = "form-1") -> Case:
    return (await desk.escalate(actor(desk, "U0KASIA"), values, client_key=key)).case


def pinged(desk: SupportDesk, reply: Reply) -> set[str]:
    """The person ids a reply mentions."""
    names = {desk.directory.name(p): p for p in desk.directory.people}
    return {names[m.name] for m in reply.mentions}


async def on_duty(desk: SupportDesk, region: str, at: datetime) -> set[PersonId]:
    return set((await desk.roster.on_duty(region, at=at)).people)


async def thread(desk: SupportDesk, notifier: RecordingNotifier, case: Case) -> list[Reply]:
    card = (await desk.case(case.id)).card
    assert card is not None
    return notifier.in_thread(card)


async def test_an_urgent_case_posts_its_card_and_pings_whoever_is_on_duty_at_once(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await worker.run_once()

    card_post, ping = notifier.sent
    assert card_post.target == ChannelTarget(Platform.SLACK, "C0PLCOORD")
    assert ping.target == ThreadTarget(card_post.ref)
    expected = await on_duty(desk, "PL", clock())
    assert expected and pinged(desk, ping.reply) == expected
    assert case.ref in ping.reply.text and not ping.reply.context  # on time, no fallback
    assert not ping.reply.channel_alert


async def test_each_step_fires_at_its_minute_and_not_before(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    start = clock()
    await worker.run_once()
    duty = await on_duty(desk, "PL", start)

    clock.advance(seconds=59)
    await worker.run_once()
    assert len(await thread(desk, notifier, case)) == 1

    clock.set(start + timedelta(minutes=1))
    await worker.run_once()
    clock.set(start + timedelta(minutes=2))
    await worker.run_once()
    clock.set(start + timedelta(minutes=3))
    await worker.run_once()
    clock.advance(hours=1)
    await worker.run_once()

    first, backup, supervisors, channel = await thread(desk, notifier, case)
    assert pinged(desk, backup) == duty | {"ivana"}
    assert pinged(desk, supervisors) == {"maria"}
    assert channel.channel_alert and not channel.mentions
    assert all(not r.context for r in (first, backup, supervisors, channel))


async def test_claiming_stops_the_chain(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    clock.advance(minutes=1)
    await worker.run_once()
    assert len(await thread(desk, notifier, case)) == 2

    clock.advance(seconds=30)
    await desk.claim(actor(desk, "U0JAN"), case.id)
    await worker.run_once()
    clock.advance(minutes=10)
    await worker.run_once()

    replies = await thread(desk, notifier, case)
    assert [r.text for r in replies[2:]] == [t("pl", "notify.claimed", name="Jan Kowalski")]
    steps = [j for j in await desk.store.jobs_of(case.id) if j.kind == "claim_step"]
    assert [(j.step, j.status) for j in steps] == [(0, "done"), (1, "done"), (2, "skipped")]


async def test_releasing_restarts_the_chain_from_the_release(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    jan = actor(desk, "U0JAN")
    await desk.claim(jan, case.id)
    await worker.run_once()
    clock.advance(minutes=20)
    released_at = clock()
    await desk.release(jan, case.id)
    await worker.run_once()
    before = len(await thread(desk, notifier, case))

    clock.set(released_at + timedelta(seconds=59))
    await worker.run_once()
    assert len(await thread(desk, notifier, case)) == before
    clock.set(released_at + timedelta(minutes=1))
    await worker.run_once()

    replies = await thread(desk, notifier, case)
    restart, backup = replies[-2], replies[-1]
    assert restart.text == t(
        "pl", "notify.new_case", case=case.ref, priority=t("pl", "priority.urgent")
    )  # the chain starts over at its first step
    assert pinged(desk, restart) == await on_duty(desk, "PL", released_at)
    assert pinged(desk, backup) == await on_duty(desk, "PL", clock()) | {"ivana"}
    assert not restart.context  # counted from the release, so not late


async def test_resolve_reminders_ask_the_assignee_then_tell_the_supervisors(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    claimed_at = clock()
    await desk.claim(actor(desk, "U0JAN"), case.id)
    await worker.run_once()
    dm_before = len(notifier.to_person("U0JAN"))

    clock.set(claimed_at + timedelta(minutes=59))  # urgent: resolve within 1 h
    await worker.run_once()
    assert len(notifier.to_person("U0JAN")) == dm_before
    clock.set(claimed_at + timedelta(hours=1))
    await worker.run_once()
    clock.set(claimed_at + timedelta(hours=1, minutes=30))  # every 30 min
    await worker.run_once()
    clock.set(claimed_at + timedelta(hours=2))  # after two unanswered reminders
    await worker.run_once()

    reminders = notifier.to_person("U0JAN")[dm_before:]
    assert len(reminders) == 2
    assert all(case.ref in r.text and "?" in r.text for r in reminders)
    overdue = (await thread(desk, notifier, case))[-1]
    assert pinged(desk, overdue) == {"maria"}
    assert "Jan Kowalski" in overdue.text


async def test_resolving_stops_the_reminders(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    jan = actor(desk, "U0JAN")
    await desk.claim(jan, case.id)
    await desk.resolve(jan, case.id, note="Terminal replaced")
    await worker.run_once()
    dms = len(notifier.to_person("U0JAN"))
    clock.advance(hours=5)
    await worker.run_once()
    assert len(notifier.to_person("U0JAN")) == dms


async def test_nobody_on_duty_pages_the_backup_and_says_it_is_a_fallback(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    for person in await on_duty(desk, "PL", clock()):
        await desk.store.set_presence(person, on_duty=False, now=clock())
    case = await escalate(desk)
    await worker.run_once()

    [ping] = await thread(desk, notifier, case)
    assert pinged(desk, ping) == {"ivana"}
    assert t("pl", "notify.fallback_backup") in ping.context


async def test_after_downtime_the_card_and_owed_steps_go_out_once_saying_they_are_late(
    desk: SupportDesk, config: Config, knowledge: KnowledgeBase, store: Store, clock: FakeClock
) -> None:
    case = await escalate(desk)
    clock.advance(minutes=10)  # the process was down since the escalation
    notifier = RecordingNotifier()
    restarted = JobWorker(store=store, handler=deliveries_for(desk, notifier), owner="restarted", clock=clock)

    await restarted.run_once()
    clock.advance(minutes=10)
    await restarted.run_once()

    card, ping = notifier.sent
    assert isinstance(card.target, ChannelTarget)
    assert pinged(desk, ping.reply) == await on_duty(desk, "PL", clock()) | {"ivana", "maria"}
    assert ping.reply.channel_alert
    assert t("pl", "notify.late", minutes=10) in ping.reply.context
    steps = [j for j in await store.jobs_of(case.id) if j.kind == "claim_step"]
    assert [j.status for j in steps] == ["done"]


def business_hours_config() -> Config:
    return parse_config(
        {
            "regions": {
                "PL": {
                    "name": "Poland",
                    "timezone": "Europe/Warsaw",
                    "channels": {"slack": "C0PL"},
                    "layers": [{"people": ["jan"], "shift": "1w"}],
                    "backup": ["ola"],
                    "business_hours": {
                        "days": ["mon", "tue", "wed", "thu", "fri"],
                        "start": "08:00",
                        "end": "18:00",
                    },
                }
            },
            "people": [
                {"id": "kasia", "name": "Kasia", "regions": ["PL"], "slack": "U0KASIA"},
                {"id": "jan", "name": "Jan", "role": "coordinator", "regions": ["PL"], "slack": "U0JAN"},
                {"id": "ola", "name": "Ola", "role": "coordinator", "regions": ["PL"], "slack": "U0OLA"},
            ],
            "escalation": {
                "business_hours": True,
                "steps": {
                    "normal": [{"after": "0m", "notify": ["on_duty"]}, {"after": "30m", "notify": ["backup"]}]
                },
            },
        }
    )


async def test_business_hours_pause_the_chain_overnight_and_over_the_weekend(
    store: Store, knowledge: KnowledgeBase, notifier: RecordingNotifier
) -> None:
    friday_1750 = datetime(2026, 11, 27, 16, 50, tzinfo=UTC)  # 17:50 in Warsaw (CET)
    clock = FakeClock(friday_1750)
    desk = SupportDesk(store=store, config=business_hours_config(), knowledge=lambda: knowledge, clock=clock)
    worker = JobWorker(store=store, handler=deliveries_for(desk, notifier), owner="w", clock=clock)
    case = await escalate(desk, {"summary": "Refund stuck for a week", "priority": "normal", "region": "PL"})
    await worker.run_once()
    assert len(await thread(desk, notifier, case)) == 1  # the first ping never waits

    clock.set(friday_1750 + timedelta(hours=2))  # 30 wall-clock minutes passed long ago
    await worker.run_once()
    clock.set(datetime(2026, 11, 30, 7, 19, tzinfo=UTC))  # Monday 08:19: 10 + 19 working minutes
    await worker.run_once()
    assert len(await thread(desk, notifier, case)) == 1

    clock.set(datetime(2026, 11, 30, 7, 20, tzinfo=UTC))  # Monday 08:20: 30 working minutes
    await worker.run_once()
    replies = await thread(desk, notifier, case)
    assert len(replies) == 2 and pinged(desk, replies[1]) == {"ola"}
    assert not replies[1].context  # paused, not late


async def test_requester_hears_who_claimed(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    case = await escalate(desk)
    await worker.run_once()
    await desk.claim(actor(desk, "U0JAN"), case.id)
    await worker.run_once()
    [dm] = [s for s in notifier.sent if s.target == PersonTarget(Platform.SLACK, "U0KASIA")]
    assert "Jan Kowalski" in dm.reply.text and case.ref in dm.reply.text
