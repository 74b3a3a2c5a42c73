"""The `inbox` table: interactions recorded before their ack, leased while their work runs, then done.

A row is inserted already leased to the process that received it, in one statement that also tells a
platform's retry from a first delivery (the key is the platform's own id). Rows whose lease ran out
while still pending (their process died) are leased again by `lease_unfinished` and their work rerun.

`RECEIPT` names the row whose work the current task is doing. The first domain write of that work
(`create_case`, `change_case`, `add_event`) marks the row done in its own transaction
(`settle_receipt`), so a rerun after a crash never applies the same effect twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.base import Queries
from bot.storage.tables import InboxRow

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True, slots=True)
class Receipt:
    """One recorded interaction: its key, what kind of work it is, the platform's body, and how many
    times its work has been started (1 on the first run)."""

    key: str
    kind: str
    body: dict[str, Any]
    attempts: int


@dataclass
class Current:
    """The receipt the running task works for, and whether a domain write already settled it."""

    key: str
    at: datetime
    settled: bool = False


RECEIPT: ContextVar[Current | None] = ContextVar("inbox_receipt", default=None)


async def settle_receipt(session: AsyncSession) -> None:
    """Mark the current task's receipt done inside `session`'s transaction (once; no receipt: nothing)."""
    current = RECEIPT.get()
    if current is None or current.settled:
        return
    await session.execute(
        update(InboxRow)
        .where(InboxRow.key == current.key, InboxRow.status == PENDING)
        .values(status=DONE, finished_at=current.at, lease_owner=None, lease_expires_at=None)
    )
    current.settled = True


def _to_receipt(row: InboxRow) -> Receipt:
    return Receipt(row.key, row.kind, json.loads(row.body), row.attempts)


class InboxQueries(Queries):
    """The inbox part of Store."""

    async def receive(
        self,
        arrivals: Sequence[tuple[str, str, dict[str, Any]]],
        *,
        owner: str,
        now: datetime,
        lease: timedelta,
    ) -> dict[str, int]:
        """Record interactions (key, kind, body), leased to `owner`, in one statement; returns key ->
        attempts for those this call took: new ones (1), and retries of a pending receipt whose lease
        ran out (the process that took it died: the platform asked again, so it is worked again). A key
        recorded before and done or still held is left out: a retry. Keys must be distinct."""
        if not arrivals:
            return {}
        insert = self._insert_ignoring(InboxRow).values(
            [
                {
                    "key": key,
                    "kind": kind,
                    "body": json.dumps(body, ensure_ascii=False, default=str),
                    "status": PENDING,
                    "attempts": 1,
                    "lease_owner": owner,
                    "lease_expires_at": now + lease,
                    "received_at": now,
                }
                for key, kind, body in arrivals
            ]
        )
        statement = insert.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "lease_owner": owner,
                "lease_expires_at": now + lease,
                "attempts": InboxRow.attempts + 1,
            },
            where=(InboxRow.status == PENDING)
            & or_(InboxRow.lease_expires_at.is_(None), InboxRow.lease_expires_at <= now),
        ).returning(InboxRow.key, InboxRow.attempts)
        async with self._sessions.begin() as session:
            return {str(key): int(attempts) for key, attempts in (await session.execute(statement)).all()}

    async def finish_receipt(self, key: str, *, now: datetime, error: str | None = None) -> None:
        """Done (or failed, with `error`); a receipt already settled by its domain write stays as it is."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(InboxRow)
                .where(InboxRow.key == key, InboxRow.status == PENDING)
                .values(
                    status=FAILED if error else DONE,
                    finished_at=now,
                    lease_owner=None,
                    lease_expires_at=None,
                    last_error=error[:2000] if error else None,
                )
            )

    async def lease_unfinished(
        self, *, owner: str, now: datetime, lease: timedelta, kinds: list[str], limit: int = 20
    ) -> list[Receipt]:
        """Lease pending receipts nobody holds (released, or their lease ran out) whose kind starts
        with one of `kinds` (the platforms that can rerun their work)."""
        if not kinds:
            return []
        due = (
            select(InboxRow.key)
            .where(
                InboxRow.status == PENDING,
                or_(InboxRow.lease_expires_at.is_(None), InboxRow.lease_expires_at <= now),
                or_(*(InboxRow.kind.startswith(kind, autoescape=True) for kind in kinds)),
            )
            .order_by(InboxRow.received_at, InboxRow.key)
            .limit(limit)
        )
        if self._dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        statement = (
            update(InboxRow)
            .where(InboxRow.key.in_(due.scalar_subquery()), InboxRow.status == PENDING)
            .values(lease_owner=owner, lease_expires_at=now + lease, attempts=InboxRow.attempts + 1)
            .returning(InboxRow)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(statement)).scalars().all()
            return sorted((_to_receipt(row) for row in rows), key=lambda r: r.key)

    async def release_receipts(self, *, owner: str, keys: list[str] | None = None) -> int:
        """Give up `owner`'s leases (all, or those `keys`) so the next process takes them at once."""
        statement = update(InboxRow).where(InboxRow.status == PENDING, InboxRow.lease_owner == owner)
        if keys is not None:
            statement = statement.where(InboxRow.key.in_(keys))
        async with self._sessions.begin() as session:
            result = await session.execute(statement.values(lease_owner=None, lease_expires_at=None))
            return int(getattr(result, "rowcount", 0) or 0)

    async def inbox_counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            query = select(InboxRow.status, func.count()).group_by(InboxRow.status)
            return {status: int(n) for status, n in (await session.execute(query)).all()}

    async def receipt_status(self, key: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(InboxRow, key)
            return row.status if row else None
