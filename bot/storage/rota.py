"""Store queries for the rota changes made from chat: covers, swaps (asked, accepted, declined), on/off
duty, and their audit trail. Each change is written together with the messages it sends (jobs)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import PersonId
from bot.storage.base import Queries
from bot.storage.jobs import NewJob, add_jobs
from bot.storage.tables import PresenceRow, RotaEventRow, RotaOverrideRow


class OverrideState(StrEnum):
    ACTIVE = "active"  # counts when deciding who is on duty
    PENDING = "pending"  # a swap waiting for the answer of the person it replaces
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class StoredOverride:
    id: int
    region: str
    person: PersonId
    replaces: PersonId | None
    start: datetime
    end: datetime
    state: OverrideState = OverrideState.ACTIVE
    created_by: PersonId | None = None


@dataclass(frozen=True, slots=True)
class StoredPresence:
    person: PersonId
    on_duty: bool
    since: datetime
    regions: tuple[str, ...] | None = None


def _to_override(row: RotaOverrideRow) -> StoredOverride:
    return StoredOverride(
        row.id,
        row.region,
        PersonId(row.person),
        PersonId(row.replaces) if row.replaces else None,
        row.start,
        row.end,
        OverrideState(row.state),
        PersonId(row.created_by),
    )


async def _audit(
    session: AsyncSession,
    *,
    region: str | None,
    actor: PersonId,
    kind: str,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    await session.execute(
        insert(RotaEventRow).values(region=region, actor=actor, kind=kind, detail=json.dumps(detail), at=now)
    )


class RotaQueries(Queries):
    """Chat changes to the rota: covers and swaps, on/off duty, and their audit trail."""

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
        state: OverrideState = OverrideState.ACTIVE,
        jobs: Callable[[int], Sequence[NewJob]] | None = None,
    ) -> StoredOverride:
        """Record a cover (or a swap for `replaces`), its audit line and the messages it sends, at once;
        `jobs` gets the new override's id."""
        async with self._sessions.begin() as session:
            row = RotaOverrideRow(
                region=region,
                person=person,
                replaces=replaces,
                start=start,
                end=end,
                created_by=actor,
                created_at=now,
                state=state.value,
            )
            session.add(row)
            await session.flush()
            stored = _to_override(row)
            detail = {
                "id": stored.id,
                "person": person,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "replaces": replaces,
            }
            kind = (
                "cover" if replaces is None else ("swap" if state is OverrideState.ACTIVE else "swap_asked")
            )
            await _audit(session, region=region, actor=actor, kind=kind, detail=detail, now=now)
            await add_jobs(session, jobs(stored.id) if jobs else (), now=now)
            return stored

    async def override(self, override_id: int) -> StoredOverride | None:
        async with self._sessions() as session:
            row = await session.get(RotaOverrideRow, override_id)
            return _to_override(row) if row is not None else None

    async def decide_swap(
        self,
        override_id: int,
        *,
        accept: bool,
        actor: PersonId,
        now: datetime,
        jobs: Sequence[NewJob] | None = None,
    ) -> StoredOverride | None:
        """Accept or decline a pending swap, once: None when it was no longer pending (answered already)."""
        state = OverrideState.ACTIVE if accept else OverrideState.DECLINED
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(RotaOverrideRow)
                .where(
                    RotaOverrideRow.id == override_id, RotaOverrideRow.state == OverrideState.PENDING.value
                )
                .values(state=state.value, decided_at=now)
            )
            if getattr(result, "rowcount", 0) != 1:
                return None
            row = await session.get(RotaOverrideRow, override_id)
            assert row is not None
            await session.refresh(row)
            stored = _to_override(row)
            kind = "swap_accepted" if accept else "swap_declined"
            await _audit(
                session, region=stored.region, actor=actor, kind=kind, detail={"id": override_id}, now=now
            )
            await add_jobs(session, jobs or (), now=now)
            return stored

    async def overrides(self, *, ending_after: datetime) -> list[StoredOverride]:
        """The covers and accepted swaps still running or to come (pending and declined swaps do not count)."""
        async with self._sessions() as session:
            query = (
                select(RotaOverrideRow)
                .where(
                    RotaOverrideRow.end > ending_after, RotaOverrideRow.state == OverrideState.ACTIVE.value
                )
                .order_by(RotaOverrideRow.id)
            )
            return [_to_override(r) for r in (await session.execute(query)).scalars()]

    async def set_presence(
        self, person: PersonId, *, on_duty: bool, now: datetime, regions: tuple[str, ...] | None = None
    ) -> None:
        """ "/oncall on" (in `regions`, or None: wherever the person is on a layer) or "/oncall off"."""
        named = json.dumps(list(regions)) if regions is not None else None
        async with self._sessions.begin() as session:
            statement = self._insert_ignoring(PresenceRow).values(
                person=person, on_duty=on_duty, since=now, regions=named
            )
            statement = statement.on_conflict_do_update(
                index_elements=["person"], set_={"on_duty": on_duty, "since": now, "regions": named}
            )
            await session.execute(statement)
            detail = {"regions": list(regions)} if regions is not None else {}
            await _audit(
                session, region=None, actor=person, kind="on" if on_duty else "off", detail=detail, now=now
            )

    async def presence(self) -> list[StoredPresence]:
        async with self._sessions() as session:
            rows = (await session.execute(select(PresenceRow))).scalars()
            return [
                StoredPresence(
                    PersonId(r.person),
                    r.on_duty,
                    r.since,
                    tuple(json.loads(r.regions)) if r.regions is not None else None,
                )
                for r in rows
            ]

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
