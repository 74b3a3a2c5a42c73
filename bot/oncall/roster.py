"""Who is on duty right now (the configured rota plus chat changes from the store), and the timers it drives."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.directory import Directory
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import t
from bot.models import Actor, Case, PersonId
from bot.oncall import rota as oncall
from bot.replies import Reply
from bot.storage.jobs import NewJob
from bot.storage.store import Store
from bot.timers import escalation
from bot.timers.worker import Kind


class Roster:
    def __init__(self, *, store: Store, config: Config, directory: Directory) -> None:
        self.store = store
        self.config = config
        self.directory = directory
        self._people = directory.people

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
            code,
            self.config.regions[code],
            at=at,
            overrides=overrides,
            presence=presence,
            people=self._people,
        )

    def describe(self, duty: oncall.OnDuty, lang: str) -> str:
        """One line: the region, who is on duty, and whether that is a fallback."""
        names = ", ".join(self.directory.name(p) for p in duty.people) or t(lang, "oncall.nobody")
        key = "oncall.line" if duty.fallback is oncall.Fallback.NONE else f"oncall.line_{duty.fallback.value}"
        return t(lang, key, region=duty.region, names=names)

    async def overview(self, actor: Actor, *, region: str | None, now: datetime) -> Reply:
        """Who is on duty now in the actor's regions (or one region), and when that next changes."""
        codes = [region] if region else list(actor.person.regions or self.config.regions)
        lines = []
        for code in codes:
            duty = await self.on_duty(code, at=now)
            line = self.describe(duty, actor.language)
            if duty.next_handoff:
                local = duty.next_handoff.astimezone(ZoneInfo(self.config.regions[code].timezone))
                line += " · " + t(actor.language, "oncall.next", at=local.strftime("%a %H:%M"))
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

    def region_for(self, actor: Actor, person: PersonId, region: str | None) -> str:
        """The region a rota change is about: the one named, else the one actor and person share."""
        if region is not None:
            return region
        mine = actor.person.regions
        theirs = self._people[person].regions if person in self._people else ()
        shared = [r for r in mine if r in theirs] or list(theirs) or list(mine)
        if not shared:
            raise InvalidInput("region", "invalid.region_needed")
        return shared[0]

    async def cover(
        self, actor: Actor, person: PersonId, *, start: time, end: time, region: str | None, now: datetime
    ) -> tuple[str, str, str]:
        """`person` covers today's `start`-`end` (the region's local time; tomorrow's if already past)."""
        if not actor.role.can_claim:
            raise NotAllowed("oncall", reason="role")
        if person not in self._people or not self._people[person].role.can_claim:
            raise InvalidInput("person", "invalid.not_coordinator", name=str(person))
        code = self.region_for(actor, person, region)
        zone = ZoneInfo(self.config.regions[code].timezone)
        local_now = now.astimezone(zone)
        begin = datetime.combine(local_now.date(), start, zone)
        finish = datetime.combine(local_now.date(), end, zone)
        if finish <= begin:
            finish += timedelta(days=1)
        if finish <= local_now:
            begin, finish = begin + timedelta(days=1), finish + timedelta(days=1)
        await self.store.add_override(
            region=code,
            person=person,
            start=begin.astimezone(UTC),
            end=finish.astimezone(UTC),
            actor=actor.id,
            now=now,
        )
        return code, begin.strftime("%a %H:%M"), finish.strftime("%a %H:%M")

    async def swap(self, actor: Actor, person: PersonId, *, now: datetime) -> tuple[str, str, str]:
        """The actor takes `person`'s next shift (in a region they share)."""
        if not actor.role.can_claim:
            raise NotAllowed("oncall", reason="role")
        code = self.region_for(actor, person, None)
        region = self.config.regions[code]
        shift = oncall.next_shift_of(code, region, person, after=now)
        if shift is None:
            raise InvalidInput("person", "invalid.no_shift", name=str(person))
        await self.store.add_override(
            region=code,
            person=actor.id,
            start=max(shift.start, now),
            end=shift.end,
            actor=actor.id,
            now=now,
            replaces=person,
        )
        zone = ZoneInfo(region.timezone)
        return (
            code,
            shift.start.astimezone(zone).strftime("%a %d %b %H:%M"),
            shift.end.astimezone(zone).strftime("%a %d %b %H:%M"),
        )
