"""Text in a person's direct messages with the bot: a command on one of their cases ("reopen CS-3",
"otwórz ponownie CS-3", "відкрити CS-3", "ponovno otvori CS-3", "cancel CS-3", "cases"), or else a
question for the knowledge base.

A command is the whole message: its phrase, a case number, and optionally ": a note". Anything
longer or different is a question, so a sentence that mentions a case is never acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.cases import rules
from bot.i18n import LANGUAGES
from bot.knowledge import fold
from bot.models import Actor, CaseId, parse_case_ref
from bot.replies import Reply
from bot.thread_commands import alternatives

if TYPE_CHECKING:
    from bot.cases.desk import SupportDesk


class DmVerb(StrEnum):
    REOPEN = "reopen"
    CANCEL = "cancel"
    SHOW = "show"
    LIST = "list"


# Phrases per verb are data: `dm.<verb>` in every catalog (`|`-separated), folded before matching.
PHRASES: dict[DmVerb, tuple[str, ...]] = {
    verb: tuple(dict.fromkeys(p for lang in LANGUAGES for p in alternatives(lang, f"dm.{verb.value}")))
    for verb in DmVerb
}

_FOLDED = sorted(
    ((fold(p), verb) for verb, phrases in PHRASES.items() for p in phrases), key=lambda item: -len(item[0])
)
_COMMAND = re.compile(
    r"^(?P<phrase>[^\d#]+?)\s*(?P<ref>(?:cs|#)?\s*-?\s*\d+)\s*(?:[:\-–—]\s*(?P<note>.*))?$", re.I | re.S
)


@dataclass(frozen=True, slots=True)
class DmCommand:
    verb: DmVerb
    case: CaseId | None = None
    note: str = ""


def parse_dm(text: str) -> DmCommand | None:
    """The command a DM is, or None for a question."""
    cleaned = " ".join(text.strip().rstrip(".!").split())
    folded = fold(cleaned)
    for phrase, verb in _FOLDED:
        if verb is DmVerb.LIST and folded == phrase:
            return DmCommand(verb)
    match = _COMMAND.match(cleaned)
    if match is None:
        return None
    phrase = fold(match["phrase"]).strip(" :,")
    case = parse_case_ref(match["ref"].replace(" ", ""))
    found = next((v for p, v in _FOLDED if p == phrase and v is not DmVerb.LIST), None)
    if found is None or case is None:
        return None
    return DmCommand(found, case, (match["note"] or "").strip())


async def route_dm(desk: SupportDesk, actor: Actor, text: str) -> Reply:
    """Carry out a DM command on the person's case and show them the case; otherwise answer the question."""
    command = parse_dm(text)
    if command is None:
        return await desk.ask(actor, text)
    if command.verb is DmVerb.LIST:
        return await desk.queue(actor)
    assert command.case is not None
    if command.verb is DmVerb.REOPEN:
        case = await desk.reopen(actor, command.case, note=command.note)
    elif command.verb is DmVerb.CANCEL:
        case = await desk.cancel(actor, command.case, note=command.note)
    else:
        case = await desk.case(command.case)
        rules.require_participant(actor, case)
    return desk.view_for(actor, case)
