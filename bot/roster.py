"""Who is on duty right now (the configured rota plus chat changes from the store), and the timers it drives."""

from __future__ import annotations

from datetime import datetime

from bot import escalation, oncall
from bot.config import Config
from bot.jobs import Kind
from bot.models import Case, PersonId
from bot.storage.jobs import NewJob
from bot.storage.store import Store


class Roster:
    def __init__(self, *, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self._people = {PersonId(p.id): p.to_person() for p in config.people}

    async def state(self, *, at: datetime) -> tuple[list[oncall.Override], list[oncall.Presence]]:
        overrides = [
            oncall.Override(o.region, o.person, o.start, o.end, o.replaces)
            for o in await self.store.overrides(ending_after=at)
        ]
        presence = [oncall.Presence(p.person, p.on_duty, p.since) for p in await self.store.presence()]
        return overrides, presence

    async def on_duty(self, code: str, *, at: datetime) -> oncall.OnDuty:
        """On duty in region `code` at `at`: layers, overrides and on/off, with backup/supervisor fallback."""
        overrides, presence = await self.state(at=at)
        return oncall.who_is_on_duty(
            code, self.config.regions[code], at=at, overrides=overrides, presence=presence, people=self._people
        )

    def claim_chain(self, case: Case, *, start: datetime) -> list[NewJob]:
        """The first step of the claim chain, counted from `start` (creation or release); each step queues the next."""
        region = self.config.regions.get(case.region)
        if region is None:
            return []
        plan = escalation.plan_claim_chain(
            self.config.escalation, priority=case.priority, region_code=case.region, region=region, start=start
        )
        if not plan:
            return []
        return [NewJob(Kind.CLAIM_STEP, due_at=plan[0].due_at, step=0, fenced=True, payload={"start": start.isoformat()})]

    def resolve_reminders(self, case: Case, *, claimed_at: datetime) -> list[NewJob]:
        """The first "still on it?" reminder, due when the resolve target passes."""
        region = self.config.regions.get(case.region)
        if region is None:
            return []
        plan = escalation.plan_resolve_reminders(
            self.config.escalation,
            claimed_at=claimed_at,
            resolve_target=self.config.targets[case.priority].resolve,
            region=region,
        )
        return [NewJob(Kind.RESOLVE_REMINDER, due_at=plan[0].due_at, step=0, fenced=True,
                       payload={"claimed_at": claimed_at.isoformat()})]

    def is_breaching(self, case: Case, *, now: datetime) -> bool:
        region = self.config.regions.get(case.region)
        if region is None:
            return False
        return escalation.is_breaching(
            self.config.escalation,
            targets=self.config.targets[case.priority],
            region=region,
            start=case.chain_started_at or case.created_at,
            claimed_at=case.claimed_at,
            now=now,
        )
