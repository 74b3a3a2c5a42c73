"""Who is on duty right now (the configured rota plus chat changes from the store), and the timers it drives."""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from bot.directory import Directory
from bot.i18n import t
from bot.i18n.times import reader_of, when
from bot.models import Actor, Case
from bot.oncall import rota as oncall
from bot.replies import Reply
from bot.storage.jobs import NewJob
from bot.storage.store import Store
from bot.timers import escalation
from bot.timers.worker import Kind


async def stored_state(store: Store, *, at: datetime) -> tuple[list[oncall.Override], list[oncall.Presence]]:
    """The rota changes made in chat that matter from `at` on: covers and accepted swaps, and everyone's
    latest "/oncall on|off". Chat and `supportbot oncall now|gaps` both read the rota through this."""
    overrides = [
        oncall.Override(o.region, o.person, o.start, o.end, o.replaces)
        for o in await store.overrides(ending_after=at)
    ]
    presence = [
        oncall.Presence(p.person, p.on_duty, p.since, regions=p.regions) for p in await store.presence()
    ]
    return overrides, presence


class Roster:
    def __init__(self, *, store: Store, config: Config, directory: Directory) -> None:
        self.store = store
        self.config = config
        self.directory = directory

    async def state(self, *, at: datetime) -> tuple[list[oncall.Override], list[oncall.Presence]]:
        return await stored_state(self.store, at=at)

    async def on_duty(self, code: str, *, at: datetime) -> oncall.OnDuty:
        """On duty in region `code` at `at`: layers, overrides and on/off, with backup/supervisor fallback.
        `supportbot oncall now` asks this too, so chat and the command line always agree."""
        overrides, presence = await self.state(at=at)
        return oncall.who_is_on_duty(
            code, self.config.regions[code], at=at, overrides=overrides, presence=presence
        )

    def describe(self, duty: oncall.OnDuty, lang: str) -> str:
        """One line: the region, who is on duty, and whether that is a fallback."""
        names = ", ".join(self.directory.name(p) for p in duty.people) or t(lang, "oncall.nobody")
        key = "oncall.line" if duty.fallback is oncall.Fallback.NONE else f"oncall.line_{duty.fallback.value}"
        return t(lang, key, region=duty.region, names=names)

    async def overview(self, actor: Actor, *, region: str | None, now: datetime) -> Reply:
        """Who is on duty now in the actor's regions (or one region), and when that next changes."""
        codes = [region] if region else list(actor.person.regions or self.config.regions)
        reader = reader_of(actor)
        lines = []
        for code in codes:
            duty = await self.on_duty(code, at=now)
            line = self.describe(duty, actor.language)
            if duty.next_handoff:
                at = when(duty.next_handoff, reader, place=self.config.regions[code].timezone)
                line += " · " + t(actor.language, "oncall.next", at=at)
            lines.append(line)
        return Reply(title=t(actor.language, "oncall.title"), text="\n".join(lines), ephemeral=True)

    def claim_chain(self, case: Case, *, start: datetime) -> list[NewJob]:
        """The first step of the claim chain, counted from `start` (creation or release); each step queues the next."""
        region = self.config.regions.get(case.region)
        if region is None:
            return []
        plan = escalation.plan_claim_chain(
            self.config.escalation,
            priority=case.priority,
            region_code=case.region,
            region=region,
            start=start,
        )
        if not plan:
            return []
        return [
            NewJob(
                Kind.CLAIM_STEP,
                due_at=plan[0].due_at,
                step=0,
                fenced=True,
                payload={"start": start.isoformat()},
            )
        ]

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
        return [
            NewJob(
                Kind.RESOLVE_REMINDER,
                due_at=plan[0].due_at,
                step=0,
                fenced=True,
                payload={"claimed_at": claimed_at.isoformat()},
            )
        ]

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
