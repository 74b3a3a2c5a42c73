"""Chat commands: carrying out thread commands on a case ("claim", "resolve: refunded"), and /oncall.

Which thread replies are commands is decided by the grammar in `bot.thread_commands` (phrases from
the catalogs); `bot.thread_replies` decides what a reply does (act, confirm first, answer or nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.errors import InvalidInput, NotAllowed
from bot.i18n import t
from bot.knowledge import fold
from bot.models import Actor, CaseId, PersonId
from bot.replies import Reply
from bot.thread_commands import ThreadCommand, Verb

if TYPE_CHECKING:
    from bot.cases.desk import SupportDesk


class OncallVerb(StrEnum):
    SHOW = "show"
    COVER = "cover"
    SWAP = "swap"
    ON = "on"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class OncallCommand:
    verb: OncallVerb
    region: str | None = None
    person: PersonId | None = None
    start: time | None = None
    end: time | None = None


class OncallSyntaxError(ValueError):
    """`/oncall` text that does not parse; the message says the accepted forms."""


_RANGE = re.compile(r"^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$")


def parse_oncall(
    text: str, *, mentions: tuple[PersonId, ...] = (), regions: tuple[str, ...] = ()
) -> OncallCommand:
    """`/oncall`, `/oncall PL`, `/oncall cover @x 14:00-18:00 [PL]`, `/oncall swap @x`, `/oncall on|off`."""
    words = [w for w in text.split() if not w.startswith(("<@", "@"))]
    if not words:
        return OncallCommand(OncallVerb.SHOW)
    head = fold(words[0])
    upper = {r.upper(): r for r in regions}
    if head in ("on", "off"):
        return OncallCommand(OncallVerb(head))
    if words[0].upper() in upper and len(words) == 1:
        return OncallCommand(OncallVerb.SHOW, region=upper[words[0].upper()])
    if head == "swap":
        if not mentions:
            raise OncallSyntaxError("swap")
        return OncallCommand(OncallVerb.SWAP, person=mentions[0])
    if head == "cover":
        match = _RANGE.match(words[1]) if len(words) > 1 else None
        if not mentions or not match:
            raise OncallSyntaxError("cover")
        h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            raise OncallSyntaxError("cover")
        region = upper.get(words[2].upper()) if len(words) > 2 else None
        if len(words) > 2 and region is None:
            raise OncallSyntaxError("region")
        return OncallCommand(
            OncallVerb.COVER, region=region, person=mentions[0], start=time(h1, m1), end=time(h2 % 24, m2)
        )
    raise OncallSyntaxError("usage")


async def run_thread(
    command: ThreadCommand, *, desk: SupportDesk, actor: Actor, case_id: CaseId
) -> Reply | None:
    """Carry out a thread command on the case; None when the thread and card updates say it all."""
    if command.verb is Verb.CLAIM:
        await desk.claim(actor, case_id)
    elif command.verb is Verb.RELEASE:
        await desk.release(actor, case_id)
    elif command.verb is Verb.RESOLVE:
        await desk.resolve(actor, case_id, note=command.text)
    elif command.verb is Verb.REASSIGN:
        if command.target is None:
            raise InvalidInput("assignee", "invalid.mention_needed")
        await desk.reassign(actor, case_id, to=command.target)
    elif command.verb is Verb.ESCALATE_UP:
        await desk.escalate_up(actor, case_id, note=command.text)
    elif command.verb is Verb.REOPEN:
        await desk.reopen(actor, case_id, note=command.text)
    elif command.verb is Verb.CANCEL:
        await desk.cancel(actor, case_id, note=command.text)
    else:
        await desk.add_note(actor, case_id, note=command.text)
        return Reply(text=t(actor.language, "note.saved"), ephemeral=True)
    return None


async def run_oncall(command: OncallCommand, *, desk: SupportDesk, actor: Actor) -> Reply:
    """Show who is on duty, or change it (cover, swap, on, off); every change is audited."""
    lang = actor.language
    if command.verb is OncallVerb.SHOW:
        return await desk.roster.overview(actor, region=command.region, now=desk.clock())
    if command.verb in (OncallVerb.ON, OncallVerb.OFF):
        if not actor.role.can_claim:
            raise NotAllowed("oncall", reason="role")
        await desk.store.set_presence(actor.id, on_duty=command.verb is OncallVerb.ON, now=desk.clock())
        return Reply(text=t(lang, f"oncall.{command.verb.value}_done"), ephemeral=True)
    assert command.person is not None
    if command.verb is OncallVerb.COVER:
        assert command.start is not None
        assert command.end is not None
        start, end, region = await desk.roster.cover(
            actor,
            command.person,
            start=command.start,
            end=command.end,
            region=command.region,
            now=desk.clock(),
        )
        return Reply(
            text=t(
                lang,
                "oncall.cover_done",
                name=desk.directory.name(command.person),
                region=region,
                start=start,
                end=end,
            ),
            ephemeral=True,
        )
    shift = await desk.roster.swap(actor, command.person, now=desk.clock())
    return Reply(
        text=t(
            lang,
            "oncall.swap_done",
            name=desk.directory.name(command.person),
            region=shift[0],
            start=shift[1],
            end=shift[2],
        ),
        ephemeral=True,
    )
