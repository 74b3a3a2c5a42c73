"""Durable timers: the worker that leases due jobs, runs them, retries with backoff and parks failures.

Every process runs one `JobWorker`; several can share a PostgreSQL database (the lease query skips
rows other workers hold). A job carries the case's fence when it is about the claim chain; the handler
skips it if the case moved on (claimed, released again), so a stale or duplicated run does nothing.

The jobs of one leased batch run concurrently, a few at a time (`concurrency`), one case's jobs in
order; a job whose run queued more work for its case due at once (`Done.chained`: the card post
queues the first ping) has that work leased and run right behind it, so twenty cards posted together
do not make every first ping wait for all twenty.
While a job runs, its lease is extended every `heartbeat` seconds, so a slow delivery is never taken
over (and run twice) by another worker; only a worker that died lets its leases run out. A job parked
as failed is reported (`on_failed`) and may queue follow-ups (`after_failure`) in the same write, so
the chain it belongs to goes on and someone is told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.storage.jobs import Job, NewJob
from bot.storage.store import Store

logger = logging.getLogger(__name__)


class Kind(StrEnum):
    POST_CARD = "post_card"  # post the case card to the region's coordinators channel
    CLAIM_STEP = "claim_step"  # a step of the claim chain: ping on-duty, backup, supervisors, channel
    RESOLVE_REMINDER = "resolve_reminder"  # "still on it?" to the assignee, then the supervisors
    UPDATE_CARD = "update_card"  # re-render the card from the case's current state
    NOTIFY = "notify"  # a message in the case thread or to one person
    ROTA_NOTICE = "rota_notice"  # a direct message about a rota change (no case): cover, swap request, answer
    ALERT = "alert"  # a delivery failed for good: tell the coordinators channel or one supervisor
    CSAT_QUESTION = "csat_question"  # "Did this solve it?" to the requester after a resolution
    WEEKLY_DIGEST = "weekly_digest"  # Monday-morning figures for one region (no case)
    MARK_ESCALATED = (
        "mark_escalated"  # the answer a case was escalated from shows the case instead of its button
    )


def notify_job(
    to: str,
    key: str,
    /,
    *,
    now: datetime,
    targets: list[str] | None = None,
    view: str | None = None,
    buttons: list[str] | None = None,
    **params: Any,
) -> NewJob:
    """A message job: `to` is "thread" (the case card's thread) or a person id (a direct message).

    `view` renders the message with the case as that person sees it ("requester": status, link and
    what they may do; "assignee": the full card with its buttons); `buttons` are Action values to add
    (their labels are `button.<name>`), all acting on this case."""
    payload: dict[str, Any] = {"to": to, "key": key, "params": params}
    if targets:
        payload["targets"] = targets
    if view:
        payload["view"] = view
    if buttons:
        payload["buttons"] = buttons
    return NewJob(Kind.NOTIFY, due_at=now, payload=payload)


@dataclass(frozen=True, slots=True)
class Done:
    """A handler's result: `skipped` when stale or no longer relevant; `then` are follow-up jobs;
    `chained` when the run queued jobs of its case that are due now (run them right behind it)."""

    skipped: bool = False
    then: tuple[NewJob, ...] = ()
    chained: bool = False


SKIPPED = Done(skipped=True)
DONE = Done()


class RetryLater(Exception):
    """Raised by a handler for a temporary failure; the job is retried with backoff.

    `code` names the reason briefly (metrics count parked jobs by it)."""

    def __init__(self, reason: str, *, after: float | None = None, code: str = "retries_exhausted") -> None:
        super().__init__(reason)
        self.after = after
        self.code = code


class GiveUp(Exception):
    """Raised by a handler for a permanent failure; the job is parked as failed at once."""

    def __init__(self, reason: str, *, code: str = "gave_up") -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a job was parked: `code` is short and stable (a metrics label), `reason` the whole message."""

    code: str
    reason: str

    def __str__(self) -> str:
        return self.reason


Handler = Callable[[Job, datetime], Awaitable[Done]]
AfterFailure = Callable[[Job, Failure, datetime], Awaitable[Sequence[NewJob]]]


def backoff(attempt: int, *, base: float = 2.0, cap: float = 300.0, jitter: float = 0.2) -> timedelta:
    """Exponential backoff for retry `attempt` (1-based), capped, with +/- `jitter` proportional noise."""
    seconds = min(cap, base**attempt)
    return timedelta(seconds=seconds * (1 + random.uniform(-jitter, jitter)))


class JobWorker:
    """Runs due jobs. A leased job is another worker's for `lease`: long enough for a delivery with its
    client's own retries (Slack waits out one Retry-After), short enough that a crashed worker's jobs
    are taken over within minutes."""

    def __init__(
        self,
        *,
        store: Store,
        handler: Handler,
        owner: str,
        clock: Callable[[], datetime],
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 6,
        batch: int = 20,
        concurrency: int = 8,
        poll: float = 1.0,
        heartbeat: float | None = None,
        on_failed: Callable[[Job, Failure], None] | None = None,
        after_failure: AfterFailure | None = None,
    ) -> None:
        self.store = store
        self.handler = handler
        self.owner = owner
        self.clock = clock
        self.lease = lease
        self.max_attempts = max_attempts
        self.batch = batch
        self.poll = poll
        self.heartbeat = heartbeat if heartbeat is not None else lease.total_seconds() / 3
        self.on_failed = on_failed
        self.after_failure = after_failure
        self._wakeup = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._stopping = False
        self._running: dict[int, Job] = {}

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        """Lease no more jobs; `run_forever` returns once the jobs in hand are done."""
        self._stopping = True
        self._wakeup.set()

    async def run_once(self) -> int:
        """Lease and run every job due now; returns how many ran (done, skipped, retried or parked).

        Follow-ups that a run queues already due (the steps owed after a restart) run in the same
        pass: it ends only when a lease comes back empty (or the worker is stopping).
        """
        total = 0
        while not self._stopping:
            jobs = await self.store.lease_due_jobs(
                owner=self.owner, now=self.clock(), lease=self.lease, limit=self.batch
            )
            if not jobs:
                return total
            # One case's jobs run in order; jobs of no case (weekly digests) run in order among themselves,
            # so a duplicate of a digest sees what the first one recorded.
            by_case: dict[object, list[Job]] = {}
            for job in jobs:
                by_case.setdefault(job.case_id, []).append(job)
            counts = await asyncio.gather(*(self._run_in_order(group) for group in by_case.values()))
            total += sum(counts)
        return total

    async def _run_in_order(self, jobs: list[Job]) -> int:
        """One case's jobs, in order, in one slot; then whatever they queued for the case due now."""
        ran = 0
        async with self._slots:
            while jobs:
                chained = False
                for job in jobs:
                    chained = await self._run(job) or chained
                ran += len(jobs)
                case_id = jobs[0].case_id
                jobs = []
                if chained and case_id is not None and not self._stopping:
                    jobs = await self.store.lease_due_jobs(
                        owner=self.owner,
                        now=self.clock(),
                        lease=self.lease,
                        limit=self.batch,
                        case_id=case_id,
                    )
        return ran

    async def beat(self) -> None:
        """Extend the lease of every job this worker is running to now + lease (the heartbeat)."""
        for job in list(self._running.values()):
            await self._extend(job)

    async def _extend(self, job: Job) -> None:
        try:
            held = await self.store.extend_lease(job, owner=self.owner, until=self.clock() + self.lease)
        except Exception:  # the database may be briefly away; the next beat tries again
            logger.exception("could not extend the lease of job %s", job.id)
            return
        if not held:
            logger.warning("job %s (%s): lease lost while running", job.id, job.kind)

    async def _keep_leased(self, job: Job) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            await self._extend(job)

    async def _run(self, job: Job) -> bool:
        """Run one job with its lease kept alive; True when it chained more work for its case."""
        self._running[job.id] = job
        heartbeat = asyncio.create_task(self._keep_leased(job), name=f"job-{job.id}-heartbeat")
        try:
            return await self._attempt(job)
        finally:
            self._running.pop(job.id, None)
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _attempt(self, job: Job) -> bool:
        try:
            result = await self.handler(job, self.clock())
        except RetryLater as error:
            await self._retry(job, Failure(error.code, str(error)), after=error.after)
        except GiveUp as error:
            await self._park(job, Failure(error.code, str(error)))
        except (
            Exception
        ) as error:  # a bug in a handler must not stop the worker; the job is retried, then parked
            logger.exception("job %s (%s) failed", job.id, job.kind)
            await self._retry(job, Failure("handler_error", f"{type(error).__name__}: {error}"), after=None)
        else:
            await self.store.finish_job(
                job, owner=self.owner, now=self.clock(), skipped=result.skipped, then=result.then
            )
            return result.chained
        return False

    async def _retry(self, job: Job, failure: Failure, *, after: float | None) -> None:
        if job.attempts >= self.max_attempts:
            await self._park(job, failure)
            return
        delay = timedelta(seconds=after) if after is not None else backoff(job.attempts)
        await self.store.retry_job(job, owner=self.owner, due_at=self.clock() + delay, error=failure.reason)

    async def _park(self, job: Job, failure: Failure) -> None:
        logger.error(
            "job %s (%s, case %s) failed for good after %d attempts: %s",
            job.id,
            job.kind,
            job.case_id,
            job.attempts,
            failure.reason,
        )
        then: Sequence[NewJob] = ()
        if self.after_failure is not None:
            try:
                then = await self.after_failure(job, failure, self.clock())
            except Exception:  # the job is parked (and reported) even if planning what follows fails
                logger.exception("job %s (%s): could not plan what follows its failure", job.id, job.kind)
        parked = await self.store.park_job(
            job, owner=self.owner, now=self.clock(), error=failure.reason, then=then
        )
        if parked and self.on_failed:
            self.on_failed(job, failure)

    async def run_forever(self) -> None:
        """Run due jobs until stopped or cancelled; sleeps until the next due job, the poll interval, or a wake()."""
        while not self._stopping:
            try:
                await self.run_once()
            except Exception:  # the database may be briefly away; keep the worker alive
                logger.exception("job worker pass failed; retrying")
            next_due = await _safe(self.store.next_due_at())
            delay = self.poll
            if next_due is not None:
                delay = max(0.0, min(delay, (next_due - self.clock()).total_seconds()))
            self._wakeup.clear()
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=delay)


async def _safe(awaitable: Awaitable[datetime | None]) -> datetime | None:
    try:
        return await awaitable
    except Exception:
        logger.exception("could not read the next due job")
        return None
