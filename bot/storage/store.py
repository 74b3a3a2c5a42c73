"""Store: every query of the desk. Methods read as questions or commands and return models, never rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
from bot.storage.engine import create_engine, upgrade
from bot.storage.jobs import JobQueries, NewJob, add_jobs
from bot.storage.tables import (
    CaseEventRow,
    CaseRow,
    ConversationRow,
    PresenceRow,
    ProcessedEventRow,
    QuestionRow,
    RotaEventRow,
    RotaOverrideRow,
)


@dataclass(frozen=True, slots=True)
class StoredOverride:
    id: int
    region: str
    person: PersonId
    replaces: PersonId | None
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class StoredPresence:
    person: PersonId
    on_duty: bool
    since: datetime


@dataclass(frozen=True, slots=True)
class QuestionStats:
    asked: int
    answered: int
    helpful: int
    not_helpful: int
    unanswered: tuple[tuple[str, str, int], ...]  # (text, lang, times asked), most asked first


def _ref(raw: str | None) -> MessageRef | None:
    if not raw:
        return None
    data = json.loads(raw)
    return MessageRef(Platform(data["platform"]), data["data"], data.get("key", ""))


def _raw(ref: MessageRef | None) -> str | None:
    return (
        None
        if ref is None
        else json.dumps({"platform": ref.platform.value, "data": ref.data, "key": ref.key})
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


class Store(JobQueries):
    """All reads and writes; each method is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._dialect = engine.dialect.name

    @classmethod
    def connect(cls, url: str) -> Store:
        return cls(create_engine(url))

    async def migrate(self) -> None:
        await upgrade(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> bool:
        async with self._sessions() as session:
            return (await session.execute(select(1))).scalar() == 1

    def _insert_ignoring(self, table: Any) -> Any:
        return (pg_insert if self._dialect == "postgresql" else sqlite_insert)(table)

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
        existing case, so a retried request never makes a second one.
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
        jobs: Sequence[NewJob] = (),
    ) -> Case | None:
        """One conditional write: apply `values` only where the row still matches `expect`.

        `expect` maps column names to a value or a tuple of allowed values (e.g. the status). In the
        same transaction it records the event and queues the jobs. Returns the changed case, or None
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
            await session.execute(insert(CaseEventRow).values(**_event_values(event, case_id)))
            await add_jobs(session, [job.for_case(case_id, fence=case.fence) for job in jobs], now=event.at)
            return case

    async def add_event(self, event: CaseEvent, *, jobs: Sequence[NewJob] = ()) -> None:
        async with self._sessions.begin() as session:
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

    async def cases_assigned_to(self, person: PersonId) -> list[Case]:
        query = select(CaseRow).where(CaseRow.assignee == person, CaseRow.status == CaseStatus.CLAIMED.value)
        return await self._cases(query.order_by(CaseRow.claimed_at))

    async def active_cases(self, regions: Iterable[str] | None = None) -> list[Case]:
        query = select(CaseRow).where(CaseRow.status.in_([CaseStatus.OPEN.value, CaseStatus.CLAIMED.value]))
        if regions is not None:
            query = query.where(CaseRow.region.in_(list(regions)))
        return await self._cases(query.order_by(CaseRow.created_at))

    async def cases_requested_by(self, person: PersonId, *, limit: int = 10) -> list[Case]:
        query = select(CaseRow).where(CaseRow.requester == person).order_by(CaseRow.id.desc()).limit(limit)
        return await self._cases(query)

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

    # --- rota state ---------------------------------------------------------------------------------

    async def add_override(
        self,
        *,
        region: str,
        person: PersonId,
        start: datetime,
        end: datetime,
        actor: PersonId,
        now: datetime,
        replaces: PersonId | None = None,
    ) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                insert(RotaOverrideRow).values(
                    region=region,
                    person=person,
                    replaces=replaces,
                    start=start,
                    end=end,
                    created_by=actor,
                    created_at=now,
                )
            )
            detail = {
                "person": person,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "replaces": replaces,
            }
            await session.execute(
                insert(RotaEventRow).values(
                    region=region,
                    actor=actor,
                    kind="swap" if replaces else "cover",
                    detail=json.dumps(detail),
                    at=now,
                )
            )

    async def overrides(self, *, ending_after: datetime) -> list[StoredOverride]:
        async with self._sessions() as session:
            query = (
                select(RotaOverrideRow).where(RotaOverrideRow.end > ending_after).order_by(RotaOverrideRow.id)
            )
            return [
                StoredOverride(
                    r.id,
                    r.region,
                    PersonId(r.person),
                    PersonId(r.replaces) if r.replaces else None,
                    r.start,
                    r.end,
                )
                for r in (await session.execute(query)).scalars()
            ]

    async def set_presence(self, person: PersonId, *, on_duty: bool, now: datetime) -> None:
        async with self._sessions.begin() as session:
            statement = self._insert_ignoring(PresenceRow).values(person=person, on_duty=on_duty, since=now)
            statement = statement.on_conflict_do_update(
                index_elements=["person"], set_={"on_duty": on_duty, "since": now}
            )
            await session.execute(statement)
            await session.execute(
                insert(RotaEventRow).values(
                    region=None, actor=person, kind="on" if on_duty else "off", detail="{}", at=now
                )
            )

    async def presence(self) -> list[StoredPresence]:
        async with self._sessions() as session:
            rows = (await session.execute(select(PresenceRow))).scalars()
            return [StoredPresence(PersonId(r.person), r.on_duty, r.since) for r in rows]

    async def rota_events(self) -> list[dict[str, Any]]:
        async with self._sessions() as session:
            rows = (await session.execute(select(RotaEventRow).order_by(RotaEventRow.id))).scalars()
            return [
                {
                    "region": r.region,
                    "actor": r.actor,
                    "kind": r.kind,
                    "detail": json.loads(r.detail),
                    "at": r.at,
                }
                for r in rows
            ]

    # --- questions ----------------------------------------------------------------------------------

    async def record_question(
        self, *, asker: PersonId, text: str, lang: str, article_id: str | None, score: float, now: datetime
    ) -> int:
        async with self._sessions.begin() as session:
            statement = (
                insert(QuestionRow)
                .values(asker=asker, text=text[:2000], lang=lang, article_id=article_id, score=score, at=now)
                .returning(QuestionRow.id)
            )
            return int((await session.execute(statement)).scalar_one())

    async def record_feedback(self, question_id: int, *, helpful: bool) -> str | None:
        """Store the asker's verdict; returns the question text (None if unknown)."""
        async with self._sessions.begin() as session:
            statement = (
                update(QuestionRow)
                .where(QuestionRow.id == question_id)
                .values(helpful=helpful)
                .returning(QuestionRow.text)
            )
            return (await session.execute(statement)).scalar()

    async def question(self, question_id: int) -> tuple[str, str | None] | None:
        async with self._sessions() as session:
            row = await session.get(QuestionRow, question_id)
            return (row.text, row.article_id) if row else None

    async def question_stats(self, start: datetime, end: datetime, *, top: int = 10) -> QuestionStats:
        window = and_(QuestionRow.at >= start, QuestionRow.at < end)
        async with self._sessions() as session:
            asked, answered, helpful, not_helpful = (
                await session.execute(
                    select(
                        func.count(),
                        func.count(QuestionRow.article_id),
                        func.count().filter(QuestionRow.helpful.is_(True)),
                        func.count().filter(QuestionRow.helpful.is_(False)),
                    ).where(window)
                )
            ).one()
            unanswered_query = (
                select(QuestionRow.text, QuestionRow.lang, func.count().label("n"))
                .where(window, QuestionRow.article_id.is_(None))
                .group_by(QuestionRow.text, QuestionRow.lang)
                .order_by(func.count().desc(), QuestionRow.text)
                .limit(top)
            )
            unanswered = tuple(
                (t, lang, int(n)) for t, lang, n in (await session.execute(unanswered_query)).all()
            )
        return QuestionStats(int(asked), int(answered), int(helpful), int(not_helpful), unanswered)
