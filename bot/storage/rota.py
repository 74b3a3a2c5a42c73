"""Store queries for the rota changes made from chat: covers, swaps, on/off duty and their audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from bot.models import PersonId
from bot.storage.base import Queries
from bot.storage.tables import PresenceRow, RotaEventRow, RotaOverrideRow


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
