"""The thread-command recogniser as it was at fac0d75 (bot/commands.py, last changed in c47f84c), kept
verbatim as the baseline that bench/thread_corpus.py measures the new grammar against. Not used by the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.knowledge import fold
from bot.models import PersonId


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
