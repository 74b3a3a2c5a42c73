"""Durable timers in the `jobs` table: add, lease due ones (SKIP LOCKED on PostgreSQL), finish, retry, park."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CaseId
from bot.storage.base import Queries
from bot.storage.tables import JobRow

if TYPE_CHECKING:
    pass

PENDING, DONE, FAILED, SKIPPED = "pending", "done", "failed", "skipped"


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to queue. `fenced` jobs carry the case's fence and do nothing once the case moved on."""

    kind: str
    due_at: datetime
    step: int = 0
    payload: dict[str, Any] = field(default_factory=dict)
    fenced: bool = False
    case_id: CaseId | None = None
    fence: int | None = None

    def for_case(self, case_id: CaseId, *, fence: int | None = None) -> NewJob:
        return replace(self, case_id=self.case_id or case_id, fence=fence if self.fenced else None)


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    case_id: CaseId | None
    step: int
    fence: int | None
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    lease_owner: str | None
    status: str
    last_error: str | None = None


def _to_job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        case_id=CaseId(row.case_id) if row.case_id is not None else None,
        step=row.step,
        fence=row.fence,
        payload=json.loads(row.payload),
        due_at=row.due_at,
        attempts=row.attempts,
        lease_owner=row.lease_owner,
        status=row.status,
        last_error=row.last_error,
    )


async def add_jobs(session: AsyncSession, jobs: Sequence[NewJob], *, now: datetime) -> None:
    if not jobs:
        return
    await session.execute(
        insert(JobRow),
        [
            {
                "kind": job.kind,
                "case_id": job.case_id,
                "step": job.step,
                "fence": job.fence,
                "payload": json.dumps(job.payload),
                "due_at": job.due_at,
                "status": PENDING,
                "attempts": 0,
                "created_at": now,
            }
            for job in jobs
        ],
    )


class JobQueries(Queries):
    """The job-table part of Store."""

    async def add_jobs(self, jobs: Sequence[NewJob], *, now: datetime) -> None:
        async with self._sessions.begin() as session:
            await add_jobs(session, jobs, now=now)

    async def lease_due_jobs(
        self,
        *,
        owner: str,
        now: datetime,
        lease: timedelta,
        limit: int = 20,
        case_id: CaseId | None = None,
    ) -> list[Job]:
        """Lease up to `limit` due jobs (of one case, if `case_id`) to `owner` until now + lease, in one statement.

        A job is due when pending, its time has come and it has no live lease; a lease that expired
        (its worker died) makes the job due again. On PostgreSQL the inner select skips rows other
        workers hold locked, so several processes never take the same job.
        """
        due = (
            select(JobRow.id)
            .where(
                JobRow.status == PENDING,
                JobRow.due_at <= now,
                or_(JobRow.lease_expires_at.is_(None), JobRow.lease_expires_at <= now),
            )
            .order_by(JobRow.due_at, JobRow.id)
            .limit(limit)
        )
        if case_id is not None:
            due = due.where(JobRow.case_id == case_id)
        if self._dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        statement = (
            update(JobRow)
            .where(JobRow.id.in_(due.scalar_subquery()))
            .values(lease_owner=owner, lease_expires_at=now + lease, attempts=JobRow.attempts + 1)
            .returning(JobRow)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(statement)).scalars().all()
            return sorted((_to_job(row) for row in rows), key=lambda job: (job.due_at, job.id))

    async def _settle(
        self, job: Job, owner: str, *, then: Sequence[NewJob] = (), now: datetime | None = None, **values: Any
    ) -> bool:
        """Change a job only if `owner` still holds its lease (a late, stale worker changes nothing).

        Follow-up jobs are queued in the same transaction, only when the change happened; a fenced
        job's follow-ups keep its fence.
        """
        async with self._sessions.begin() as session:
            statement = (
                update(JobRow)
                .where(JobRow.id == job.id, JobRow.lease_owner == owner, JobRow.status == PENDING)
                .values(**values)
                .returning(JobRow.id)
            )
            settled = (await session.execute(statement)).scalar() is not None
            if settled and then:
                follow_ups = [
                    replace(j, case_id=j.case_id or job.case_id, fence=job.fence if j.fenced else None)
                    for j in then
                ]
                await add_jobs(session, follow_ups, now=now or job.due_at)
            return settled

    async def finish_job(
        self, job: Job, *, owner: str, now: datetime, skipped: bool = False, then: Sequence[NewJob] = ()
    ) -> bool:
        return await self._settle(
            job, owner, then=then, now=now, status=SKIPPED if skipped else DONE, finished_at=now
        )

    async def retry_job(self, job: Job, *, owner: str, due_at: datetime, error: str) -> bool:
        return await self._settle(
            job, owner, due_at=due_at, lease_owner=None, lease_expires_at=None, last_error=error[:2000]
        )

    async def park_job(
        self, job: Job, *, owner: str, now: datetime, error: str, then: Sequence[NewJob] = ()
    ) -> bool:
        """Mark `job` failed; `then` (the chain's next step, who to tell) is queued in the same write."""
        return await self._settle(
            job, owner, then=then, now=now, status=FAILED, finished_at=now, last_error=error[:2000]
        )

    async def extend_lease(self, job: Job, *, owner: str, until: datetime) -> bool:
        """Keep `owner`'s lease on a running job until `until`; False when the lease is no longer its own."""
        async with self._sessions.begin() as session:
            statement = (
                update(JobRow)
                .where(JobRow.id == job.id, JobRow.lease_owner == owner, JobRow.status == PENDING)
                .values(lease_expires_at=until)
                .returning(JobRow.id)
            )
            return (await session.execute(statement)).scalar() is not None

    async def release_jobs(self, *, owner: str) -> int:
        """Give up every lease `owner` still holds on pending jobs (at shutdown): the next process runs
        them at once instead of after the lease. A job interrupted mid-delivery is run again; the
        card post reconciles (see Deliveries._post_card)."""
        statement = (
            update(JobRow)
            .where(JobRow.status == PENDING, JobRow.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
        )
        async with self._sessions.begin() as session:
            result = await session.execute(statement)
            return int(getattr(result, "rowcount", 0) or 0)

    async def failed_jobs(self, *, limit: int = 100) -> list[Job]:
        async with self._sessions() as session:
            query = select(JobRow).where(JobRow.status == FAILED).order_by(JobRow.id.desc()).limit(limit)
            return [_to_job(row) for row in (await session.execute(query)).scalars()]

    async def jobs(self, *, status: str | None = None, limit: int = 1000) -> list[Job]:
        """Jobs in order of id, optionally only those with `status` (pending, done, skipped, failed)."""
        async with self._sessions() as session:
            query = select(JobRow).order_by(JobRow.id).limit(limit)
            if status is not None:
                query = query.where(JobRow.status == status)
            return [_to_job(row) for row in (await session.execute(query)).scalars()]

    async def jobs_of(self, case_id: CaseId) -> list[Job]:
        async with self._sessions() as session:
            query = select(JobRow).where(JobRow.case_id == case_id).order_by(JobRow.id)
            return [_to_job(row) for row in (await session.execute(query)).scalars()]

    async def job_counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            rows = (await session.execute(select(JobRow.status, func.count()).group_by(JobRow.status))).all()
            return {status: int(n) for status, n in rows}

    async def next_due_at(self) -> datetime | None:
        """When a worker can next lease a job: the earliest due time of an unleased pending job, or of
        a lease running out (a job another worker holds is not due again until its lease expires, so
        idle workers sleep instead of polling it in a tight loop)."""
        async with self._sessions() as session:
            unleased = select(func.min(JobRow.due_at)).where(
                and_(JobRow.status == PENDING, JobRow.lease_expires_at.is_(None))
            )
            leased = select(func.min(JobRow.lease_expires_at)).where(
                and_(JobRow.status == PENDING, JobRow.lease_expires_at.is_not(None))
            )
            values = [(await session.execute(query)).scalar() for query in (unleased, leased)]
            times = [value for value in values if isinstance(value, datetime)]
            return min(times) if times else None
