"""The weekly digest: Monday 08:00 in each region's zone, once per region per week, also after a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.cases.desk import SupportDesk
from bot.knowledge import KnowledgeBase
from bot.models import Identity, Platform
from bot.storage.jobs import NewJob
from bot.storage.store import Store
from bot.timers.delivery import Deliveries
from bot.timers.digest import WeeklyDigest, next_monday_morning, schedule_digests
from bot.timers.worker import JobWorker, Kind
from tests.fakes.clock import FakeClock
from tests.fakes.recording_notifier import RecordingNotifier

MARIA = "U0MARIA"
FORM = {"summary": "Customer waits for a refund", "priority": "urgent", "region": "PL"}


def test_next_monday_morning_is_local_time_across_the_clock_change() -> None:
    warsaw, kyiv = ZoneInfo("Europe/Warsaw"), ZoneInfo("Europe/Kyiv")
    assert next_monday_morning(datetime(2026, 10, 21, tzinfo=UTC), warsaw) == datetime(
        2026, 10, 26, 7, tzinfo=UTC
    )
    assert next_monday_morning(datetime(2026, 10, 14, tzinfo=UTC), warsaw) == datetime(
        2026, 10, 19, 6, tzinfo=UTC
    )
    assert next_monday_morning(datetime(2026, 11, 30, 6, tzinfo=UTC), kyiv) == datetime(
        2026, 12, 7, 6, tzinfo=UTC
    )


def fresh_worker(
    desk: SupportDesk, notifier: RecordingNotifier, clock: FakeClock, kb: KnowledgeBase
) -> JobWorker:
    """A worker wired as app/server.py wires it, the weekly digest included."""
    digest = WeeklyDigest(
        reports=desk.reports,
        knowledge=lambda: kb,
        config=desk.config,
        directory=desk.directory,
        store=desk.store,
        notifier=notifier,
    )
    deliveries = Deliveries(
        config=desk.config,
        directory=desk.directory,
        roster=desk.roster,
        store=desk.store,
        notifier=notifier,
        digest=digest,
    )
    return JobWorker(store=desk.store, handler=deliveries, owner="w", clock=clock)


async def test_the_digest_fires_once_per_region_per_week_even_after_a_restart(
    store: Store, desk: SupportDesk, clock: FakeClock, knowledge: KnowledgeBase
) -> None:
    notifier = RecordingNotifier()
    rep = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    await desk.escalate(rep, FORM, client_key="a")
    assert await schedule_digests(store, desk.config, now=clock()) == 5  # four regions and the article owners
    assert await schedule_digests(store, desk.config, now=clock()) == 0

    clock.set(datetime(2026, 11, 30, 6, 30, tzinfo=UTC))  # 08:30 in Kyiv, 07:30 in Warsaw
    await fresh_worker(desk, notifier, clock, knowledge).run_once()
    assert [r.title for r in notifier.to_person(MARIA)] == [
        "Weekly support digest · UA · 23 Nov 2026 – 29 Nov 2026"
    ]

    # a restart: a new worker, the start-up scheduling again, and a duplicate job for the same week
    restarted = SupportDesk(store=store, config=desk.config, knowledge=lambda: knowledge, clock=clock)
    assert await schedule_digests(store, restarted.config, now=clock()) == 0
    [pl] = [
        j
        for j in await store.jobs(status="pending")
        if j.payload.get("region") == "PL" and j.kind == Kind.WEEKLY_DIGEST
    ]
    await store.add_jobs(
        [NewJob(Kind.WEEKLY_DIGEST, due_at=pl.due_at, payload=dict(pl.payload))], now=clock()
    )
    clock.set(datetime(2026, 11, 30, 9, tzinfo=UTC))
    await fresh_worker(restarted, notifier, clock, knowledge).run_once()

    titles = [r.title or "" for r in notifier.to_person(MARIA)]
    assert sorted(t.split(" · ")[1] for t in titles) == ["HR", "PL", "UA", "UK"]
    pl_digest = next(r for r in notifier.to_person(MARIA) if " · PL · " in (r.title or ""))
    assert "Opened: 1 (week before: 0)" in pl_digest.text
    pending = [j for j in await store.jobs(status="pending") if j.kind == Kind.WEEKLY_DIGEST]
    assert sorted(j.due_at.date().isoformat() for j in pending) == ["2026-12-07"] * 5
