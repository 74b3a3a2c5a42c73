"""Durable timers: the worker and the job table on every database (due, retry, park, leases, follow-ups)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from bot.storage.jobs import Job, NewJob
from bot.storage.store import Store
from bot.timers.worker import DONE, Done, Failure, GiveUp, JobWorker, RetryLater, backoff
from tests.conftest import POSTGRES_URL, postgres_only
from tests.fakes.clock import FakeClock

LEASE = timedelta(seconds=60)


class Recorder:
    """A job handler that counts its runs per job id and can be told to fail; `then` follows the first run."""

    def __init__(self, *, fail: type[Exception] | None = None, then: tuple[NewJob, ...] = ()) -> None:
        self.runs: Counter[int] = Counter()
        self.seen_at: list[datetime] = []
        self.fail = fail
        self.then = then

    async def __call__(self, job: Job, now: datetime) -> Done:
        self.runs[job.id] += 1
        self.seen_at.append(now)
        await asyncio.sleep(0)  # let other workers interleave, as a real delivery would
        if self.fail is RetryLater:
            raise RetryLater("slack said 503")
        if self.fail is GiveUp:
            raise GiveUp("channel_not_found")
        if self.fail is not None:
            raise self.fail("a bug in a handler")
        then, self.then = self.then, ()
        return Done(then=then) if then else DONE


def worker_for(
    store: Store,
    handler: Recorder,
    clock: FakeClock,
    owner: str = "w1",
    *,
    max_attempts: int = 6,
    on_failed: Callable[[Job, Failure], None] | None = None,
) -> JobWorker:
    return JobWorker(
        store=store,
        handler=handler,
        owner=owner,
        clock=clock,
        lease=LEASE,
        max_attempts=max_attempts,
        on_failed=on_failed,
    )


async def add(store: Store, clock: FakeClock, *delays_min: float) -> None:
    await store.add_jobs(
        [NewJob("notify", due_at=clock() + timedelta(minutes=d)) for d in delays_min], now=clock()
    )


async def test_due_jobs_run_once_and_later_ones_wait_for_their_time(
    any_store: Store, clock: FakeClock
) -> None:
    handler = Recorder()
    worker = worker_for(any_store, handler, clock)
    await add(any_store, clock, 0, -5, 10)

    assert await worker.run_once() == 2
    assert await worker.run_once() == 0
    assert sorted(handler.runs.values()) == [1, 1]
    assert await any_store.job_counts() == {"done": 2, "pending": 1}

    clock.advance(minutes=9, seconds=59)
    assert await worker.run_once() == 0
    clock.advance(seconds=1)
    assert await worker.run_once() == 1
    assert await any_store.job_counts() == {"done": 3}
    assert await any_store.next_due_at() is None


async def test_temporary_failure_is_retried_later_with_backoff_and_counts_attempts(
    any_store: Store, clock: FakeClock
) -> None:
    handler = Recorder(fail=RetryLater)
    worker = worker_for(any_store, handler, clock, max_attempts=3)
    await add(any_store, clock, 0)
    start = clock()

    assert await worker.run_once() == 1
    [job] = await any_store.jobs(status="pending")
    assert job.attempts == 1 and job.lease_owner is None and job.last_error == "slack said 503"
    low, high = backoff(1, jitter=0).total_seconds() * 0.8, backoff(1, jitter=0).total_seconds() * 1.2
    assert low <= (job.due_at - start).total_seconds() <= high
    assert await worker.run_once() == 0  # not before its backoff

    clock.set(job.due_at)
    await worker.run_once()
    [job] = await any_store.jobs(status="pending")
    assert job.attempts == 2
    assert job.due_at - clock() >= backoff(2, jitter=0) * 0.8  # the second wait is longer
    assert sum(handler.runs.values()) == 2


async def test_retry_honours_the_platforms_retry_after(any_store: Store, clock: FakeClock) -> None:
    class RateLimited(Recorder):
        async def __call__(self, job: Job, now: datetime) -> Done:
            raise RetryLater("429", after=42)

    worker = worker_for(any_store, RateLimited(), clock)
    await add(any_store, clock, 0)
    await worker.run_once()
    [job] = await any_store.jobs(status="pending")
    assert job.due_at == clock() + timedelta(seconds=42)


async def test_after_the_last_attempt_the_job_is_parked_listed_and_reported(
    any_store: Store, clock: FakeClock
) -> None:
    reported: list[tuple[int, str]] = []
    handler = Recorder(fail=RetryLater)
    worker = worker_for(
        any_store,
        handler,
        clock,
        max_attempts=3,
        on_failed=lambda job, why: reported.append((job.id, str(why))),
    )
    await add(any_store, clock, 0)

    for _ in range(5):
        await worker.run_once()
        clock.advance(minutes=10)

    [failed] = await any_store.failed_jobs()
    assert failed.status == "failed" and failed.attempts == 3 and failed.last_error == "slack said 503"
    assert reported == [(failed.id, "slack said 503")]
    assert sum(handler.runs.values()) == 3
    assert await any_store.job_counts() == {"failed": 1}


async def test_a_handler_bug_is_retried_then_parked_not_lost(any_store: Store, clock: FakeClock) -> None:
    handler = Recorder(fail=KeyError)
    worker = worker_for(any_store, handler, clock, max_attempts=2)
    await add(any_store, clock, 0)
    await worker.run_once()
    clock.advance(minutes=10)
    await worker.run_once()
    [failed] = await any_store.failed_jobs()
    assert "KeyError" in (failed.last_error or "")


async def test_give_up_parks_at_once(any_store: Store, clock: FakeClock) -> None:
    reported: list[str] = []
    handler = Recorder(fail=GiveUp)
    worker = worker_for(any_store, handler, clock, on_failed=lambda job, why: reported.append(str(why)))
    await add(any_store, clock, 0)

    await worker.run_once()

    [failed] = await any_store.failed_jobs()
    assert failed.attempts == 1 and failed.last_error == "channel_not_found"
    assert reported == ["channel_not_found"]


async def test_a_stale_worker_cannot_settle_a_job_whose_lease_was_taken_over(
    any_store: Store, clock: FakeClock
) -> None:
    await add(any_store, clock, 0)
    [stale] = await any_store.lease_due_jobs(owner="stale", now=clock(), lease=LEASE)
    assert await any_store.lease_due_jobs(owner="other", now=clock(), lease=LEASE) == []  # lease is live

    clock.advance(LEASE + timedelta(seconds=1))
    [taken] = await any_store.lease_due_jobs(owner="other", now=clock(), lease=LEASE)
    assert taken.id == stale.id and taken.attempts == 2

    follow_up = NewJob("notify", due_at=clock())
    assert not await any_store.finish_job(stale, owner="stale", now=clock(), then=(follow_up,))
    assert not await any_store.retry_job(stale, owner="stale", due_at=clock(), error="late")
    assert not await any_store.park_job(stale, owner="stale", now=clock(), error="late")
    assert await any_store.job_counts() == {"pending": 1}  # no follow-up from the refused finish

    assert await any_store.finish_job(taken, owner="other", now=clock(), then=(follow_up,))
    assert await any_store.job_counts() == {"done": 1, "pending": 1}
    assert not await any_store.finish_job(taken, owner="other", now=clock())  # and only once


async def test_follow_ups_are_queued_with_the_finish_and_keep_the_fence(
    any_store: Store, clock: FakeClock
) -> None:
    then = (
        NewJob("notify", due_at=clock() + timedelta(minutes=1), fenced=True),
        NewJob("notify", due_at=clock()),
    )
    handler = Recorder(then=then)
    worker = worker_for(any_store, handler, clock)
    await any_store.add_jobs([NewJob("notify", due_at=clock(), fence=7)], now=clock())

    await worker.run_once()  # runs the first job and the follow-up due now
    parent, fenced, unfenced = await any_store.jobs()
    assert len(handler.runs) == 2
    assert (parent.status, fenced.status, unfenced.status) == ("done", "pending", "done")
    assert (fenced.fence, unfenced.fence) == (7, None)  # only a fenced follow-up keeps the parent's fence


async def test_no_follow_ups_when_the_job_is_retried_or_parked(any_store: Store, clock: FakeClock) -> None:
    handler = Recorder(fail=GiveUp, then=(NewJob("notify", due_at=clock()),))
    worker = worker_for(any_store, handler, clock)
    await add(any_store, clock, 0)
    await worker.run_once()
    assert await any_store.job_counts() == {"failed": 1}


# --- several processes on one PostgreSQL ------------------------------------------------------------


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("any_store", ["postgres"], indirect=True)
async def test_four_workers_on_separate_engines_run_each_of_2000_jobs_exactly_once(
    any_store: Store, clock: FakeClock
) -> None:
    await any_store.add_jobs(
        [NewJob("notify", due_at=clock() - timedelta(seconds=i % 50)) for i in range(2000)], now=clock()
    )
    handler = Recorder()
    stores = [any_store, *(Store.connect(POSTGRES_URL) for _ in range(3))]
    try:
        workers = [worker_for(s, handler, clock, owner=f"w{i}") for i, s in enumerate(stores)]
        ran = await asyncio.gather(*(w.run_once() for w in workers))
    finally:
        for extra in stores[1:]:
            await extra.close()

    assert sum(ran) == 2000
    assert len(handler.runs) == 2000 and set(handler.runs.values()) == {1}
    assert await any_store.job_counts() == {"done": 2000}
    assert sum(1 for n in ran if n > 0) >= 2  # the work was actually shared


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("any_store", ["postgres"], indirect=True)
async def test_a_job_leased_by_a_killed_worker_runs_once_after_its_lease_expires(
    any_store: Store, clock: FakeClock
) -> None:
    await add(any_store, clock, 0, 0, 0)
    dead = Store.connect(POSTGRES_URL)
    try:
        orphans = await dead.lease_due_jobs(owner="killed", now=clock(), lease=LEASE)
        assert len(orphans) == 3
        handler = Recorder()
        survivor = worker_for(any_store, handler, clock, owner="survivor")

        assert await survivor.run_once() == 0  # the lease still looks alive
        clock.advance(LEASE)
        assert await survivor.run_once() == 3
        assert sorted(handler.runs) == sorted(j.id for j in orphans)
        assert set(handler.runs.values()) == {1}

        assert not await dead.finish_job(orphans[0], owner="killed", now=clock())  # it woke up too late
        clock.advance(hours=1)
        assert await survivor.run_once() == 0
        assert await any_store.job_counts() == {"done": 3}
    finally:
        await dead.close()


async def test_jobs_due_during_downtime_run_at_start_once(any_store: Store, clock: FakeClock) -> None:
    await add(any_store, clock, 1, 5, 30, 240)
    clock.advance(hours=6)  # the process was down; a new one starts
    handler = Recorder()
    worker = worker_for(any_store, handler, clock, owner="after-restart")

    assert await worker.run_once() == 4
    assert await worker.run_once() == 0
    assert set(handler.runs.values()) == {1}
    assert await any_store.job_counts() == {"done": 4}


async def test_a_job_another_worker_holds_is_next_due_when_its_lease_runs_out(
    any_store: Store, clock: FakeClock
) -> None:
    await add(any_store, clock, -1, 30)
    await any_store.lease_due_jobs(owner="busy", now=clock(), lease=LEASE)
    assert await any_store.next_due_at() == clock() + LEASE  # not the past due time: idle workers sleep

    clock.advance(LEASE + timedelta(minutes=1))
    [orphan] = await any_store.lease_due_jobs(owner="other", now=clock(), lease=LEASE)
    await any_store.retry_job(orphan, owner="other", due_at=clock() + timedelta(minutes=2), error="503")
    assert await any_store.next_due_at() == clock() + timedelta(minutes=2)
