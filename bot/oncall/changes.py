"""Rota changes from chat: cover, swap (asked, then accepted or declined by the other person), on and off.

Every change is written with its audit line and the direct messages it sends in one transaction
(`Kind.ROTA_NOTICE` jobs), so a change the bot confirmed always reaches the people it affects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.config import Config
from bot.directory import Directory
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import t
from bot.i18n.times import reader_of, zone
from bot.models import Actor, PersonId, Platform
from bot.oncall import notices
from bot.oncall import rota as oncall
from bot.oncall.notices import Notice
from bot.ports import PersonTarget
from bot.replies import Reply
from bot.storage.jobs import NewJob
from bot.storage.rota import OverrideState
from bot.storage.store import Store
from bot.timers.worker import Kind


def notice_job(to: PersonId, kind: Notice, *, override: int, platform: Platform, now: datetime) -> NewJob:
    """A direct message to `to` about rota change `override`, rendered when sent (their language and zone)."""
    payload: dict[str, Any] = {
        "to": to,
        "notice": kind.value,
        "override": override,
        "platform": platform.value,
    }
    return NewJob(Kind.ROTA_NOTICE, due_at=now, payload=payload)


class RotaChanges:
    """The rota changes people make in chat. `clock` is the desk's."""

    def __init__(
        self, *, store: Store, config: Config, directory: Directory, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.config = config
        self.directory = directory
        self.clock = clock

    def region_for(self, actor: Actor, person: PersonId, region: str | None) -> str:
        """The region a rota change is about: the one named, else the first one actor and person share."""
        if region is not None:
            return region
        mine = actor.person.regions
        theirs = self.directory.person(person).regions
        shared = [r for r in mine if r in theirs] or list(theirs) or list(mine)
        if not shared or shared[0] not in self.config.regions:
            raise InvalidInput("region", "invalid.region_needed")
        return shared[0]

    def _coordinator(self, person: PersonId) -> None:
        if person not in self.directory.people or not self.directory.people[person].role.can_claim:
            raise InvalidInput("person", "invalid.not_coordinator", name=self.directory.name(person))

    async def cover(
        self, actor: Actor, person: PersonId, *, start: time, end: time, region: str | None
    ) -> Reply:
        """`person` takes the whole region for today's `start`-`end` (the region's local time; tomorrow's
        if that is already over). They, and whoever the rota had on duty then, are told in their DM."""
        if not actor.role.can_claim:
            raise NotAllowed("oncall", reason="role")
        self._coordinator(person)
        code = self.region_for(actor, person, region)
        now = self.clock()
        local_now = now.astimezone(zone(self.config.regions[code].timezone))
        tz = zone(self.config.regions[code].timezone)
        begin = datetime.combine(local_now.date(), start, tz)
        finish = datetime.combine(local_now.date(), end, tz)
        if finish <= begin:
            finish += timedelta(days=1)
        if finish <= local_now:
            begin, finish = begin + timedelta(days=1), finish + timedelta(days=1)
        begin, finish = begin.astimezone(UTC), finish.astimezone(UTC)
        scheduled = [
            s.person
            for s in oncall.scheduled_shifts(code, self.config.regions[code], start=begin, end=finish)
        ]
        told = notices.affected_by_cover(scheduled, cover=person, actor=actor.id)
        kinds = {p: Notice.COVER_FOR_YOU if p == person else Notice.COVER_OVER_YOU for p in told}
        platform = actor.identity.platform
        stored = await self.store.add_override(
            region=code,
            person=person,
            start=begin,
            end=finish,
            actor=actor.id,
            now=now,
            jobs=lambda override_id: [
                notice_job(p, kind, override=override_id, platform=platform, now=now)
                for p, kind in kinds.items()
            ],
        )
        return notices.confirmation(
            self.config, self.directory, stored, reader_of(actor), key="oncall.cover_done"
        )

    async def swap(self, actor: Actor, person: PersonId) -> Reply:
        """Ask to take `person`'s current or next shift (in a region both belong to). It counts only once
        `person` accepts (see `decide`); they get the request with Accept / Decline in their DM."""
        if not actor.role.can_claim:
            raise NotAllowed("oncall", reason="role")
        if person == actor.id:
            raise InvalidInput("person", "invalid.swap_self")
        self._coordinator(person)
        code = self.region_for(actor, person, None)
        now = self.clock()
        shift = oncall.next_shift_of(code, self.config.regions[code], person, after=now)
        if shift is None:
            raise InvalidInput("person", "invalid.no_shift", name=self.directory.name(person))
        platform = actor.identity.platform
        stored = await self.store.add_override(
            region=code,
            person=actor.id,
            start=max(shift.start, now),
            end=shift.end,
            actor=actor.id,
            now=now,
            replaces=person,
            state=OverrideState.PENDING,
            jobs=lambda override_id: [
                notice_job(person, Notice.SWAP_ASKED, override=override_id, platform=platform, now=now)
            ],
        )
        return notices.confirmation(
            self.config, self.directory, stored, reader_of(actor), key="oncall.swap_asked_done"
        )

    async def decide(self, actor: Actor, override_id: int, *, accept: bool) -> Reply:
        """The answer of the person whose shift a swap would take: only they may give it, once; the asker
        is told. Returns the request as it now reads (it replaces the message with the buttons)."""
        now = self.clock()
        found = await self.store.override(override_id)
        if found is None or found.replaces is None:
            raise InvalidInput("swap", "invalid.no_such_swap")
        if found.replaces != actor.id:
            raise NotAllowed("swap", reason="not_swap_owner")
        reader = reader_of(actor)
        if found.state is not OverrideState.PENDING or found.end <= now:
            return notices.answered(self.config, self.directory, found, reader, now=now)
        asker = found.created_by or found.person
        kind = Notice.SWAP_ACCEPTED if accept else Notice.SWAP_DECLINED
        platform = actor.identity.platform
        decided = await self.store.decide_swap(
            override_id,
            accept=accept,
            actor=actor.id,
            now=now,
            jobs=[notice_job(asker, kind, override=override_id, platform=platform, now=now)],
        )
        latest = decided or await self.store.override(override_id) or found
        return notices.answered(self.config, self.directory, latest, reader, now=now)

    async def presence(self, actor: Actor, *, on_duty: bool, region: str | None = None) -> Reply:
        """ "/oncall off": off duty everywhere. "/oncall on [REGION]": back, and on duty only where rostered:
        the region named (its layers or backup list), else the regions whose layers the person is on."""
        if not actor.role.can_claim:
            raise NotAllowed("oncall", reason="role")
        lang = actor.language
        now = self.clock()
        if not on_duty:
            await self.store.set_presence(actor.id, on_duty=False, now=now)
            return Reply(text=t(lang, "oncall.off_done"), ephemeral=True)
        layers = [code for code, reg in self.config.regions.items() if actor.id in oncall.on_layers(reg)]
        backup = [
            code
            for code, reg in self.config.regions.items()
            if actor.id in oncall.rostered(reg) and code not in layers
        ]
        if region is not None:
            if region not in layers and region not in backup:
                raise InvalidInput("region", "invalid.not_rostered", region=region)
            named: tuple[str, ...] | None = (region,)
            duty = [region]
        else:
            named, duty = None, layers
        await self.store.set_presence(actor.id, on_duty=True, now=now, regions=named)
        lines = []
        if duty:
            lines.append(t(lang, "oncall.on_done", regions=", ".join(duty)))
        standby = [code for code in backup if code not in duty]
        if standby:
            lines.append(t(lang, "oncall.on_backup", regions=", ".join(standby), example=standby[0]))
        if not lines:
            lines.append(t(lang, "oncall.on_nowhere"))
        return Reply(text="\n".join(lines), ephemeral=True)


async def rota_notice(
    payload: dict[str, Any], *, store: Store, config: Config, directory: Directory
) -> tuple[PersonTarget, Reply] | None:
    """The direct message a `Kind.ROTA_NOTICE` job sends, rendered when sent (the reader's language and
    zone, the change's current state); None if the change, or any chat account of the person, is gone."""
    found = await store.override(int(payload["override"]))
    if found is None:
        return None
    to = PersonId(str(payload["to"]))
    person = directory.person(to)
    platform = Platform(str(payload.get("platform", Platform.SLACK.value)))
    user = person.user_id(platform)
    if user is None and person.identities:
        platform, user = person.identities[0].platform, person.identities[0].user_id
    if user is None:
        return None
    reply = notices.notice(config, directory, found, directory.reader(to), Notice(str(payload["notice"])))
    return PersonTarget(platform, user), reply
