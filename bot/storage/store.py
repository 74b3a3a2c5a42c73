"""Store: every query of the desk. Methods read as questions or commands and return models, never rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, insert, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.models import (
    Case,
    CaseEvent,
    CaseId,
    CaseStatus,
    EventKind,
    MessageRef,
    NewCase,
    PersonId,
    Platform,
    Priority,
)
from bot.storage.engine import (
    DatabaseUnavailable,
    create_engine,
    describe_url,
    head_revision,
    unavailable,
    upgrade,
)
from bot.storage.jobs import JobQueries, NewJob, add_jobs
from bot.storage.questions import QuestionQueries
from bot.storage.receipts import InboxQueries, settle_receipt
from bot.storage.reports import ReportQueries
from bot.storage.rota import RotaQueries
from bot.storage.tables import (
    CaseEventRow,
    CaseRow,
    ConversationRow,
    ProcessedEventRow,
)


def _ref(raw: str | None) -> MessageRef | None:
    if not raw:
        return None
    data = json.loads(raw)
    return MessageRef(Platform(data["platform"]), data["data"], data.get("key", ""), data.get("link", ""))


def _raw(ref: MessageRef | None) -> str | None:
    return (
        None
        if ref is None
        else json.dumps({"platform": ref.platform.value, "data": ref.data, "key": ref.key, "link": ref.link})
    )


def _to_case(row: CaseRow) -> Case:
    return Case(
        id=CaseId(row.id),
        summary=row.summary,
        details=row.details,
        customer_ref=row.customer_ref,
        priority=Priority(row.priority),
        category=row.category,
        region=row.region,
        language=row.language,
        status=CaseStatus(row.status),
        requester=PersonId(row.requester),
        origin=Platform(row.origin),
        created_at=row.created_at,
        assignee=PersonId(row.assignee) if row.assignee else None,
        claimed_at=row.claimed_at,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
        card=_ref(row.card),
        source=_ref(row.source),
        fence=row.fence,
        supervisor_tier=row.supervisor_tier,
        chain_started_at=row.chain_started_at,
    )


def _to_event(row: CaseEventRow) -> CaseEvent:
    return CaseEvent(
        id=row.id,
        case_id=CaseId(row.case_id),
        kind=EventKind(row.kind),
        actor=PersonId(row.actor),
        at=row.at,
        before=json.loads(row.before),
        after=json.loads(row.after),
        note=row.note,
    )


def _event_values(event: CaseEvent, case_id: int) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "kind": event.kind.value,
        "actor": event.actor,
        "at": event.at,
        "before": json.dumps(event.before, default=str),
        "after": json.dumps(event.after, default=str),
        "note": event.note,
    }


class Store(JobQueries, InboxQueries, RotaQueries, QuestionQueries, ReportQueries):
    """All reads and writes; each method is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._dialect = engine.dialect.name

    @classmethod
    def connect(cls, url: str) -> Store:
        return cls(create_engine(url))

    async def migrate(self) -> None:
        """Bring the schema to head (under a lock); a database that cannot be reached is DatabaseUnavailable."""
        try:
            await upgrade(self.engine)
        except (DBAPIError, OSError) as error:
            raise unavailable(str(self.engine.url), error) from None

    async def require_schema(self) -> None:
        """DatabaseUnavailable unless the database is reachable and its schema is at head."""
        url = self.engine.url.render_as_string(hide_password=False)
        try:
            async with self.engine.connect() as connection:
                current = await connection.run_sync(_current_revision)
        except (DBAPIError, OSError) as error:
            raise unavailable(url, error) from None
        if current != head_revision():
            raise DatabaseUnavailable(
                f"the database {describe_url(url)} has no schema (or an old one): run `supportbot db upgrade`"
            )

    async def close(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> bool:
        async with self._sessions() as session:
            return (await session.execute(select(1))).scalar() == 1

    # --- cases -------------------------------------------------------------------------------

    async def create_case(
        self,
        new: NewCase,
        *,
        client_key: str,
        requester: PersonId,
        origin: Platform,
        now: datetime,
        source: MessageRef | None = None,
        jobs: Sequence[NewJob] = (),
    ) -> tuple[Case, bool]:
        """Insert the case, its `escalated` event and its first jobs, once per client key.

        Returns the case and whether this call created it; a repeat with the same key returns the
        existing case, so a retried request never makes a second one. Settles the task's inbox receipt.
        """
        values = {
            "client_key": client_key,
            "summary": new.summary,
            "details": new.details,
            "customer_ref": new.customer_ref,
            "priority": new.priority.value,
            "category": new.category,
            "region": new.region,
            "language": new.language,
            "status": CaseStatus.OPEN.value,
            "requester": requester,
            "origin": origin.value,
            "created_at": now,
            "chain_started_at": now,
            "source": _raw(source),
            "fence": 0,
            "supervisor_tier": False,
        }
        async with self._sessions.begin() as session:
            statement = (
                self._insert_ignoring(CaseRow)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["client_key"])
                .returning(CaseRow.id)
            )
            new_id = (await session.execute(statement)).scalar()
            await settle_receipt(session)
            if new_id is None:
                row = (
                    await session.execute(select(CaseRow).where(CaseRow.client_key == client_key))
                ).scalar_one()
                return _to_case(row), False
            event = CaseEvent(CaseId(new_id), EventKind.ESCALATED, requester, now, after={"status": "open"})
            await session.execute(insert(CaseEventRow).values(**_event_values(event, new_id)))
            await add_jobs(session, [job.for_case(CaseId(new_id)) for job in jobs], now=now)
            row = (await session.execute(select(CaseRow).where(CaseRow.id == new_id))).scalar_one()
            return _to_case(row), True

    async def case(self, case_id: CaseId) -> Case | None:
        async with self._sessions() as session:
            row = await session.get(CaseRow, case_id)
            return _to_case(row) if row else None

    async def change_case(
        self,
        case_id: CaseId,
        *,
        expect: dict[str, Any],
        values: dict[str, Any],
        event: CaseEvent,
        bump_fence: bool = False,
        jobs: Sequence[NewJob] | Callable[[Case], Sequence[NewJob]] = (),
    ) -> Case | None:
        """One conditional write: apply `values` only where the row still matches `expect`.

        `expect` maps column names to a value or a tuple of allowed values (e.g. the status). In the
        same transaction it records the event and queues the jobs (`jobs` may be a function of the changed
        case, for callers that did not read it first) and settles the task's inbox receipt. Returns the changed case, or None
        when the row no longer matched (someone else changed it first): never read-then-write.
        """
        conditions = [CaseRow.id == case_id]
        for column, wanted in expect.items():
            attribute = getattr(CaseRow, column)
            if isinstance(wanted, tuple):
                conditions.append(attribute.in_(wanted))
            elif wanted is None:
                conditions.append(attribute.is_(None))
            else:
                conditions.append(attribute == wanted)
        changes = dict(values)
        if bump_fence:
            changes["fence"] = CaseRow.fence + 1
        async with self._sessions.begin() as session:
            statement = update(CaseRow).where(and_(*conditions)).values(**changes).returning(CaseRow)
            row = (await session.execute(statement)).scalar_one_or_none()
            if row is None:
                return None
            case = _to_case(row)
            await settle_receipt(session)
            await session.execute(insert(CaseEventRow).values(**_event_values(event, case_id)))
            planned = jobs(case) if callable(jobs) else jobs
            await add_jobs(
                session, [job.for_case(case_id, fence=case.fence) for job in planned], now=event.at
            )
            return case

    async def add_event(self, event: CaseEvent, *, jobs: Sequence[NewJob] = ()) -> None:
        async with self._sessions.begin() as session:
            await settle_receipt(session)
            await session.execute(insert(CaseEventRow).values(**_event_values(event, event.case_id)))
            await add_jobs(session, [job.for_case(event.case_id) for job in jobs], now=event.at)

    async def set_card(self, case_id: CaseId, card: MessageRef, *, jobs: Sequence[NewJob] = ()) -> Case:
        """Remember where the case card was posted; queue the jobs that need it (its escalation chain)."""
        async with self._sessions.begin() as session:
            card_key = f"{card.platform.value}:{card.key}" if card.key else None
            statement = (
                update(CaseRow)
                .where(CaseRow.id == case_id)
                .values(card=_raw(card), card_key=card_key)
                .returning(CaseRow)
            )
            case = _to_case((await session.execute(statement)).scalar_one())
            await add_jobs(
                session, [job.for_case(case_id, fence=case.fence) for job in jobs], now=case.created_at
            )
            return case

    async def case_by_card(self, platform: Platform, key: str) -> Case | None:
        """The case whose card has this lookup key (see MessageRef.key), e.g. from a thread reply."""
        async with self._sessions() as session:
            query = select(CaseRow).where(CaseRow.card_key == f"{platform.value}:{key}")
            row = (await session.execute(query)).scalar_one_or_none()
            return _to_case(row) if row else None

    async def events_of(self, case_id: CaseId) -> list[CaseEvent]:
        async with self._sessions() as session:
            query = select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)
            return [_to_event(row) for row in (await session.execute(query)).scalars()]

    async def _cases(self, query: Select[CaseRow]) -> list[Case]:
        async with self._sessions() as session:
            return [_to_case(row) for row in (await session.execute(query)).scalars()]

    async def unclaimed_cases(self, regions: Iterable[str] | None = None) -> list[Case]:
        query = select(CaseRow).where(CaseRow.status == CaseStatus.OPEN.value)
        if regions is not None:
            query = query.where(CaseRow.region.in_(list(regions)))
        return await self._cases(query.order_by(CaseRow.created_at))

    async def cases_requested_by(self, person: PersonId, *, resolved_since: datetime) -> list[Case]:
        """The cases `person` raised that are still active, or were resolved or cancelled since `resolved_since`."""
        active = CaseRow.status.in_([CaseStatus.OPEN.value, CaseStatus.CLAIMED.value])
        query = select(CaseRow).where(
            CaseRow.requester == person, or_(active, CaseRow.resolved_at >= resolved_since)
        )
        return await self._cases(query.order_by(CaseRow.created_at.desc()).limit(50))

    async def case_by_client_key(self, client_key: str) -> Case | None:
        """The case a request with this client key created (e.g. `question:42` for an escalated question)."""
        async with self._sessions() as session:
            query = select(CaseRow).where(CaseRow.client_key == client_key)
            row = (await session.execute(query)).scalar_one_or_none()
            return _to_case(row) if row else None

    async def cases_assigned_to(self, person: PersonId) -> list[Case]:
        query = select(CaseRow).where(CaseRow.assignee == person, CaseRow.status == CaseStatus.CLAIMED.value)
        return await self._cases(query.order_by(CaseRow.claimed_at))

    async def active_cases(self, regions: Iterable[str] | None = None) -> list[Case]:
        query = select(CaseRow).where(CaseRow.status.in_([CaseStatus.OPEN.value, CaseStatus.CLAIMED.value]))
        if regions is not None:
            query = query.where(CaseRow.region.in_(list(regions)))
        return await self._cases(query.order_by(CaseRow.created_at))

    async def histories_between(self, start: datetime, end: datetime) -> list[tuple[Case, list[CaseEvent]]]:
        """Every case with an event in `[start, end)` (its opening is one), with all its events."""
        touched = select(CaseEventRow.case_id).where(CaseEventRow.at >= start, CaseEventRow.at < end)
        async with self._sessions() as session:
            cases = (await session.execute(select(CaseRow).where(CaseRow.id.in_(touched)))).scalars().all()
            query = select(CaseEventRow).where(CaseEventRow.case_id.in_(touched)).order_by(CaseEventRow.id)
            events: dict[int, list[CaseEvent]] = {}
            for row in (await session.execute(query)).scalars():
                events.setdefault(row.case_id, []).append(_to_event(row))
        return [(_to_case(row), events.get(row.id, [])) for row in sorted(cases, key=lambda r: r.id)]

    async def cases_created_between(self, start: datetime, end: datetime) -> list[Case]:
        query = select(CaseRow).where(CaseRow.created_at >= start, CaseRow.created_at < end)
        return await self._cases(query.order_by(CaseRow.created_at))

    # --- deliveries, conversations -----------------------------------------------------------------

    async def first_delivery(self, key: str, *, now: datetime) -> bool:
        """Record a platform delivery id; True only the first time it is seen (across processes)."""
        async with self._sessions.begin() as session:
            statement = (
                self._insert_ignoring(ProcessedEventRow)
                .values(key=key, received_at=now)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(ProcessedEventRow.key)
            )
            return (await session.execute(statement)).scalar() is not None

    async def save_conversation(self, key: str, *, platform: Platform, data: str, now: datetime) -> None:
        async with self._sessions.begin() as session:
            statement = self._insert_ignoring(ConversationRow).values(
                key=key, platform=platform.value, data=data, updated_at=now
            )
            statement = statement.on_conflict_do_update(
                index_elements=["key"], set_={"data": data, "updated_at": now}
            )
            await session.execute(statement)

    async def conversation(self, key: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(ConversationRow, key)
            return row.data if row else None


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
