"""The thread-command grammar: a reply in a case's thread is a command only when the WHOLE message is one.

    message  := [filler] PHRASE tail
    tail     := ""                                   (a bare command; "!", ".", emoji allowed)
              | SEPARATOR note                       (":", " - ", " – ", " — ", ",", a new line)
              | " " note                             (only after a verb's first, canonical phrase,
                                                      when the message @mentions the bot)
    reassign := PHRASE [to] @person [SEPARATOR reason]

Claim must be the whole message ("biorę", "Mine!", "taking this one 🙋"). A phrase followed by
anything else ("done with the call", "zamknij temat z kurierem", "resolved? not yet") is ordinary
conversation, and so is a message that starts with a quote (`>`), a question mark after the
phrase, a negation or a name. Phrases are data: `phrases.<verb>` in every catalog of `bot/i18n`
(alternatives separated by `|`), matched after folding case and diacritics, from all languages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from bot.i18n import catalog
from bot.i18n.languages import CODES as LANGUAGES
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


# Verbs whose note is required (the desk refuses them without one).
NOTE_REQUIRED = frozenset({Verb.RESOLVE, Verb.ESCALATE_UP, Verb.NOTE})
# Catalog keys that are not verbs: words allowed before a command, and the "to" before a reassign's @person.
FILLER_KEY = "phrases.filler"
TO_KEY = "phrases.to"
PHRASE_KEYS = (*(f"phrases.{v.value}" for v in Verb), FILLER_KEY, TO_KEY)


@dataclass(frozen=True, slots=True)
class ThreadCommand:
    verb: Verb
    text: str = ""  # the note: what follows the command word and its separator
    target: PersonId | None = None


MENTION = re.compile(r"(?<![\w@])@[^\s,:;!?]+")  # a person, as the platform handler wrote them: one word
_TOKEN = re.compile(rf"{MENTION.pattern}|[^\W_]+(?:['’ʼ][^\W_]+)*")
_SEPARATOR = re.compile(r"^[ \t]*(?::|,|\n|[-–—](?=\s|$))")
_FOLD_EXTRA = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "’": "'", "ʼ": "'", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case without diacritics ("Biorę" -> "biore", "Riješeno" -> "rijeseno", "Їжак" -> "іжак")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class _Phrases:
    verbs: tuple[tuple[tuple[str, ...], Verb], ...]  # longest first
    canonical: frozenset[tuple[str, ...]]  # each catalog's first phrase of each verb ("resolve", "riješeno")
    fillers: frozenset[tuple[str, ...]]
    to: frozenset[str]


def alternatives(lang: str, key: str) -> list[str]:
    """The `|`-separated alternatives of one phrase key in one catalog."""
    return [p.strip() for p in catalog(lang).get(key, "").split("|") if p.strip()]


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(fold(m.group(0)) for m in _TOKEN.finditer(phrase))


@cache
def phrases() -> _Phrases:
    """Every language's phrases, folded into word tuples (read once from the catalogs)."""
    verbs = {
        (_words(p), verb)
        for lang in LANGUAGES
        for verb in Verb
        for p in alternatives(lang, f"phrases.{verb.value}")
    }
    fillers = {_words(p) for lang in LANGUAGES for p in alternatives(lang, FILLER_KEY)}
    to = {fold(p) for lang in LANGUAGES for p in alternatives(lang, TO_KEY)}
    canonical = {
        _words(found[0])
        for lang in LANGUAGES
        for verb in Verb
        if (found := alternatives(lang, f"phrases.{verb.value}"))
    }
    ordered = sorted((v for v in verbs if v[0]), key=lambda item: (-len(item[0]), item[1].value))
    return _Phrases(tuple(ordered), frozenset(canonical), frozenset(f for f in fillers if f), frozenset(to))


@dataclass(frozen=True, slots=True)
class _Token:
    word: str  # folded
    start: int
    end: int

    @property
    def is_mention(self) -> bool:
        return self.word.startswith("@")


def _tokens(text: str) -> list[_Token]:
    return [_Token(fold(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _adjacent(text: str, tokens: list[_Token], first: int, count: int) -> bool:
    """True when tokens[first:first+count] are separated by plain spaces only (one phrase, not a list)."""
    return all(
        text[tokens[i].end : tokens[i + 1].start].strip(" ") == "" for i in range(first, first + count - 1)
    )


def _match(text: str, tokens: list[_Token], at: int) -> tuple[Verb, int] | None:
    """The longest phrase starting at token `at`, as (verb, number of tokens)."""
    for words, verb in phrases().verbs:
        n = len(words)
        if tuple(t.word for t in tokens[at : at + n]) == words and _adjacent(text, tokens, at, n):
            return verb, n
    return None


def _tail(text: str, end: int, *, addressed: bool) -> str | None:
    """What follows a phrase ending at `end`: "" when nothing (bar punctuation and emoji) does, the note
    after a separator, or None when the phrase runs on into a sentence ("done with the call")."""
    rest = text[end:]
    if not _TOKEN.search(rest):
        return None if "?" in rest else ""
    separator = _SEPARATOR.match(rest)
    if separator:
        return rest[separator.end() :].strip()
    if addressed and rest[:1].isspace():
        return rest.strip()
    return None


def parse_thread(
    text: str, *, mentions: tuple[PersonId, ...] = (), addressed: bool = False
) -> ThreadCommand | None:
    """The command a whole thread reply gives, or None for ordinary conversation.

    `text` is the reply with the bot's own mention removed (`addressed` says whether it was there);
    other people's mentions stay in it as `@name` words, in the order of `mentions` (their ids).
    """
    text = unicodedata.normalize("NFC", text).strip()
    if not text or text.startswith(">"):
        return None  # a quote of the customer or of the bot
    tokens = _tokens(text)
    at = 0
    for filler in sorted(phrases().fillers, key=len, reverse=True):
        if tuple(t.word for t in tokens[: len(filler)]) == filler and len(tokens) > len(filler):
            at = len(filler)
            break
    if at and _match(text, tokens, 0) is not None:
        at = 0  # a filler word that is itself a phrase ("ok" is not, but be safe)
    found = _match(text, tokens, at)
    if found is None:
        return None
    verb, n = found
    end = tokens[at + n - 1].end
    if verb is Verb.REASSIGN:
        return _reassign(text, tokens, at + n, mentions)
    canonical = tuple(t.word for t in tokens[at : at + n]) in phrases().canonical
    note = _tail(text, end, addressed=addressed and canonical)
    if note is None or (verb is Verb.CLAIM and note):
        return None
    if not note and verb in NOTE_REQUIRED and not canonical:
        return None  # a bare "done" or "gotowe" is talk; a bare "resolve" gets asked for its note
    return ThreadCommand(verb, note)


def _spaces(gap: str) -> bool:
    return bool(gap) and gap.strip(" ") == ""


def _reassign(
    text: str, tokens: list[_Token], at: int, mentions: tuple[PersonId, ...]
) -> ThreadCommand | None:
    """`reassign [to] @person [, reason]`: the person must follow the phrase; anything else is talk."""
    if (
        at < len(tokens)
        and tokens[at].word in phrases().to
        and _spaces(text[tokens[at - 1].end : tokens[at].start])
    ):
        at += 1
    if at >= len(tokens) and _tail(text, tokens[at - 1].end, addressed=False) == "":
        return ThreadCommand(Verb.REASSIGN)  # "reassign" alone: the desk asks for the @person
    if (
        at >= len(tokens)
        or not tokens[at].is_mention
        or not _spaces(text[tokens[at - 1].end : tokens[at].start])
    ):
        return None
    reason = _tail(text, tokens[at].end, addressed=False)
    if reason is None:
        return None
    index = sum(1 for t in tokens[:at] if t.is_mention)
    target = mentions[index] if index < len(mentions) else None
    return ThreadCommand(Verb.REASSIGN, reason, target)
