"""Undo for a few minutes after a thread command, where the transition has an inverse.

A claim is undone by releasing the case back to waiting, a resolve by reopening it, a release by
claiming it again. The Undo button (shown only to the person who acted) carries the case, what was
done, who did it, the case's fence right after it and the moment the offer ends: it works once, for
that person, before that moment, and only while nobody has changed the case since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import InvalidInput, NotAllowed, StaleConfirmation, UndoExpired
from bot.i18n import t
from bot.models import Actor, CaseId, PersonId
from bot.replies import Action, Button
from bot.thread_commands import Verb

if TYPE_CHECKING:
    from bot.cases.desk import SupportDesk

UNDO_WINDOW = timedelta(minutes=5)
UNDOABLE = frozenset({Verb.CLAIM, Verb.RESOLVE, Verb.RELEASE})


@dataclass(frozen=True, slots=True)
class Done:
    """What a person did to a case that they may still undo: the value of an Undo button."""

    case_id: CaseId
    verb: Verb
    person: PersonId
    fence: int
    until: datetime

    def encode(self) -> str:
        data = {
            "c": int(self.case_id),
            "v": self.verb.value,
            "p": self.person,
            "f": self.fence,
            "u": self.until.isoformat(),
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, value: str) -> Done:
        try:
            data = json.loads(value)
            verb = Verb(data["v"])
            if verb not in UNDOABLE:
                raise ValueError(verb)
            until = datetime.fromisoformat(str(data["u"]))
            return cls(CaseId(int(data["c"])), verb, PersonId(str(data["p"])), int(data["f"]), until)
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("undo", "error.generic") from None


async def undo_button(desk: SupportDesk, actor: Actor, case_id: CaseId, verb: Verb) -> tuple[Button, ...]:
    """The Undo button for what `actor` just did to the case (none when `verb` has no inverse)."""
    if verb not in UNDOABLE:
        return ()
    case = await desk.case(case_id)
    done = Done(case.id, verb, actor.id, case.fence, desk.clock() + UNDO_WINDOW)
    return (Button(Action.UNDO, t(actor.language, "button.undo"), done.encode()),)


def undo_hint(lang: str) -> str:
    return t(lang, "undo.hint", minutes=int(UNDO_WINDOW.total_seconds() // 60))


async def undo(desk: SupportDesk, actor: Actor, value: str) -> str:
    """Put the case back as it was before `value`'s action; returns what to tell the person."""
    done = Done.decode(value)
    if done.person != actor.id:
        raise NotAllowed("undo", reason="not_writer")
    case = await desk.case(done.case_id)
    if desk.clock() > done.until:
        raise UndoExpired(case.ref)
    if case.fence != done.fence:
        raise StaleConfirmation(case.ref)
    if done.verb is Verb.CLAIM:
        await desk.release(actor, case.id)
    elif done.verb is Verb.RESOLVE:
        await desk.reopen(actor, case.id)
    else:
        await desk.claim(actor, case.id)
    return t(actor.language, "undo.done", case=case.ref)
