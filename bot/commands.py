"""Chat text -> commands: thread replies on a case ("claim", "biorę", "resolve: refunded") and /oncall.

Matching is tolerant: case, diacritics and punctuation are folded, so "Biore!" and "БЕРУ" both claim.
Mentions are resolved by the platform handler and passed as person ids; the text here is plain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.errors import InvalidInput
from bot.i18n import t
from bot.knowledge import fold
from bot.models import Actor, CaseId, PersonId
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.cases.desk import SupportDesk


class Verb(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    RESOLVE = "resolve"
    REASSIGN = "reassign"
    ESCALATE_UP = "escalate_up"
    REOPEN = "reopen"
    NOTE = "note"
    CANCEL = "cancel"


# Phrases per verb in en, pl, uk, hr, written naturally; they are folded before matching.
PHRASES: dict[Verb, tuple[str, ...]] = {
    Verb.CLAIM: (
        "claim",
        "claimed",
        "mine",
        "i'll take it",
        "ill take it",
        "i will take it",
        "i take it",
        "taking it",
        "i got it",
        "i've got it",
        "got it",
        "on it",
        "i'm on it",
        "take",
        "biorę",
        "biore to",
        "biorę to",
        "wezmę",
        "wezmę to",
        "moje",
        "przejmuję",
        "ja biorę",
        "беру",
        "я беру",
        "візьму",
        "я візьму",
        "моє",
        "забираю",
        "беру собі",
        "preuzimam",
        "uzimam",
        "moje je",
        "ja ću",
        "ja cu preuzeti",
        "preuzet ću",
    ),
    Verb.RELEASE: (
        "release",
        "unclaim",
        "drop it",
        "zwalniam",
        "oddaję",
        "віддаю",
        "звільняю",
        "відпускаю",
        "otpuštam",
        "vraćam",
        "oslobađam",
    ),
    Verb.RESOLVE: (
        "resolve",
        "resolved",
        "done",
        "solved",
        "fixed",
        "close",
        "closed",
        "rozwiązane",
        "rozwiązany",
        "zamknij",
        "zamknięte",
        "załatwione",
        "вирішено",
        "закрито",
        "готово",
        "riješeno",
        "zatvoreno",
        "gotovo",
    ),
    Verb.REASSIGN: (
        "reassign",
        "give to",
        "hand to",
        "hand off to",
        "przekaż",
        "przekazuję",
        "передати",
        "передаю",
        "preusmjeri",
        "predajem",
        "prebaci",
    ),
    Verb.ESCALATE_UP: (
        "escalate",
        "escalate up",
        "supervisor",
        "eskaluj",
        "eskalacja",
        "do kierownika",
        "ескалювати",
        "ескалація",
        "керівнику",
        "eskaliraj",
        "eskalacija",
        "nadzorniku",
    ),
    Verb.REOPEN: (
        "reopen",
        "open again",
        "otwórz ponownie",
        "otwórz",
        "ponownie otwórz",
        "відкрити знову",
        "перевідкрити",
        "відкрий",
        "ponovno otvori",
        "otvori ponovno",
        "otvori",
    ),
    Verb.NOTE: ("note", "notatka", "нотатка", "примітка", "bilješka", "napomena"),
    Verb.CANCEL: ("cancel", "anuluj", "скасувати", "скасуй", "otkaži", "poništi"),
}

_PUNCT = re.compile(r"[^\w\s']+", re.UNICODE)
_FOLDED: list[tuple[tuple[str, ...], Verb]] = sorted(
    ((tuple(fold(p).split()), verb) for verb, phrases in PHRASES.items() for p in phrases),
    key=lambda item: -len(item[0]),
)
# Words that may come before a command without changing it ("ok, biorę", "@bot claim").
_FILLER = {
    fold(w) for w in ("ok", "okay", "hi", "ok,", "dobra", "dobrze", "добре", "ок", "u redu", "please", "pls")
}


@dataclass(frozen=True, slots=True)
class ThreadCommand:
    verb: Verb
    text: str = ""  # what follows the command word: a resolution note, a note
    target: PersonId | None = None


def _words(text: str) -> list[str]:
    return fold(_PUNCT.sub(" ", text.replace("’", "'"))).split()


def parse_thread(text: str, *, mentions: tuple[PersonId, ...] = ()) -> ThreadCommand | None:
    """The command a thread reply starts with, and the rest of it, or None for ordinary conversation.

    A claim phrase counts only when it is (nearly) the whole message, so "is it mine to answer?" in a
    longer sentence does not claim; other verbs take the rest of the message as their text.
    """
    words = _words(text)
    while words and words[0] in _FILLER:
        words = words[1:]
    if not words:
        return None
    for phrase, verb in _FOLDED:
        if tuple(words[: len(phrase)]) != phrase:
            continue
        rest_words = words[len(phrase) :]
        if verb is Verb.CLAIM:
            return ThreadCommand(verb) if len(rest_words) <= 2 else None
        rest = _rest_of(text, len(phrase))
        if verb is Verb.REASSIGN:
            return ThreadCommand(verb, rest, mentions[0] if mentions else None)
        return ThreadCommand(verb, rest)
    return None


def _rest_of(text: str, n_words: int) -> str:
    """The original text after its first `n_words` words (and any separator like ':' or '-')."""
    parts = re.split(
        r"(\s+)", _PUNCT.sub(lambda m: " " if m.group(0) not in ".,!?" else m.group(0), text).strip()
    )
    words_seen = 0
    for i, part in enumerate(parts):
        if part.strip() and _words(part):
            words_seen += 1
            if words_seen == n_words:
                return "".join(parts[i + 1 :]).strip(" :-–—\t\n")
    return ""


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
    """`/oncall`, `/oncall PL`, `/oncall cover @x 14:00-18:00 [PL]`, `/oncall swap @x`, `/oncall on [PL]`,
    `/oncall off`. Region codes are matched case-insensitively; anything else is an OncallSyntaxError."""
    words = [w for w in text.split() if not w.startswith(("<@", "@"))]
    if not words:
        return OncallCommand(OncallVerb.SHOW)
    head = fold(words[0])
    upper = {r.upper(): r for r in regions}
    if head in ("on", "off"):
        if len(words) == 1:
            return OncallCommand(OncallVerb(head))
        if head == "on" and len(words) == 2 and words[1].upper() in upper:
            return OncallCommand(OncallVerb.ON, region=upper[words[1].upper()])
        raise OncallSyntaxError("region" if head == "on" and len(words) == 2 else "usage")
    if words[0].upper() in upper and len(words) == 1:
        return OncallCommand(OncallVerb.SHOW, region=upper[words[0].upper()])
    if head == "swap":
        if not mentions or len(words) > 1:
            raise OncallSyntaxError("swap")
        return OncallCommand(OncallVerb.SWAP, person=mentions[0])
    if head == "cover":
        match = _RANGE.match(words[1]) if len(words) > 1 else None
        if not mentions or not match or len(words) > 3:
            raise OncallSyntaxError("cover")
        h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
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
    """Show who is on duty, or change it (cover, swap request, on, off); every change is audited and the
    people it affects are told in their DM (see bot.oncall.changes)."""
    if command.verb is OncallVerb.SHOW:
        return await desk.roster.overview(actor, region=command.region, now=desk.clock())
    if command.verb in (OncallVerb.ON, OncallVerb.OFF):
        return await desk.rota.presence(actor, on_duty=command.verb is OncallVerb.ON, region=command.region)
    assert command.person is not None
    if command.verb is OncallVerb.COVER:
        assert command.start is not None
        assert command.end is not None
        return await desk.rota.cover(
            actor, command.person, start=command.start, end=command.end, region=command.region
        )
    return await desk.rota.swap(actor, command.person)
