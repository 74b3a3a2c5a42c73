"""The thread-command grammar: a reply is a command only when the whole message is one, in en/pl/uk/hr,
with or without diacritics; phrases come from every catalog."""

from __future__ import annotations

import pytest

from bot.i18n import catalog
from bot.i18n.languages import CODES as LANGUAGES
from bot.models import PersonId
from bot.thread_commands import PHRASE_KEYS, ThreadCommand, Verb, alternatives, parse_thread
from tests.corpus import Message, corpus


@pytest.mark.parametrize(
    "text",
    [
        "claim",
        "Claim!",
        "mine",
        "I'll take it",
        "i’ll take it",
        "ok, biorę",
        "Biore",
        "wezmę to",
        "беру",
        "Я беру",
        "візьму",
        "preuzimam",
        "Preuzimam.",
        "uzimam",
        "taking this one 🙋",
        "moje je 🙋‍♂️",
    ],
)
def test_claim_phrases_in_four_languages(text: str) -> None:
    assert parse_thread(text) == ThreadCommand(Verb.CLAIM)


@pytest.mark.parametrize(
    "text",
    [
        "is this mine to answer or should I wait?",
        "hello",
        "thanks!",
        "",
        "   ",
        "mine?",
        "claim this one or not?",
        "done with the call, she is calmer now",
        "zamknij temat z kurierem i daj znać",
        "resolved? not yet",
        "note customer called again",  # no separator, and the bot is not addressed
        "> resolve: refund issued",  # a quote
        "don't close it yet",
        "nie biorę tego",
        "reassign @U0OLA please",  # runs on after the person
        "przekaż klientce, że kurier będzie jutro",
        "eskalacija nije potrebna",
    ],
)
def test_ordinary_conversation_is_not_a_command(text: str) -> None:
    assert parse_thread(text, mentions=(PersonId("ola"),)) is None


@pytest.mark.parametrize(
    ("text", "verb", "note"),
    [
        ("resolve: refunded 20 EUR to card", Verb.RESOLVE, "refunded 20 EUR to card"),
        ("Rozwiązane - zwrot na kartę", Verb.RESOLVE, "zwrot na kartę"),
        ("Zalatwione: kurier odebral pralke", Verb.RESOLVE, "kurier odebral pralke"),
        ("вирішено: обміняли товар", Verb.RESOLVE, "обміняли товар"),
        ("Закрито — клієнтка отримала заміну", Verb.RESOLVE, "клієнтка отримала заміну"),
        ("riješeno, vraćen novac", Verb.RESOLVE, "vraćen novac"),
        ("rijeseno, vracen novac", Verb.RESOLVE, "vracen novac"),
        ("rozwiązane\nwysłaliśmy nowy czajnik", Verb.RESOLVE, "wysłaliśmy nowy czajnik"),
        ("release", Verb.RELEASE, ""),
        ("vracam u red, zavrsava mi smjena", Verb.RELEASE, "zavrsava mi smjena"),
        ("note: customer called again", Verb.NOTE, "customer called again"),
        ("escalate: legal threat", Verb.ESCALATE_UP, "legal threat"),
        ("Eskaluj wyżej, trzecia reklamacja", Verb.ESCALATE_UP, "trzecia reklamacja"),
        ("reopen: still broken", Verb.REOPEN, "still broken"),
        ("otworz ponownie, czajnik przecieka", Verb.REOPEN, "czajnik przecieka"),
    ],
)
def test_a_command_keeps_the_note_after_its_separator(text: str, verb: Verb, note: str) -> None:
    assert parse_thread(text) == ThreadCommand(verb, note)


def test_addressed_to_the_bot_a_space_is_separator_enough() -> None:
    assert parse_thread("resolve courier redelivered", addressed=True) == ThreadCommand(
        Verb.RESOLVE, "courier redelivered"
    )
    assert parse_thread("resolve courier redelivered") is None
    assert parse_thread("what's the goodwill limit?", addressed=True) is None


def test_reassign_takes_the_person_right_after_the_phrase() -> None:
    people = (PersonId("ola"), PersonId("jan"))
    command = parse_thread("reassign to @U0OLA, she knows the customer", mentions=people)
    assert command == ThreadCommand(Verb.REASSIGN, "she knows the customer", PersonId("ola"))
    assert parse_thread("prebaci na @U0OLA", mentions=people) == ThreadCommand(
        Verb.REASSIGN, "", PersonId("ola")
    )
    assert parse_thread("przekaż", mentions=()) == ThreadCommand(Verb.REASSIGN)
    assert parse_thread("@U0JAN can you reassign it to @U0OLA?", mentions=people) is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_has_every_phrase_set(lang: str) -> None:
    missing = [key for key in PHRASE_KEYS if not alternatives(lang, key)]
    assert missing == []
    assert all("{" not in catalog(lang)[key] for key in PHRASE_KEYS)


@pytest.mark.parametrize("message", corpus(), ids=lambda m: m.id)
def test_dev_corpus_message_is_recognised_with_its_intent(message: Message) -> None:
    """The development corpus (tests/corpus/thread-commands): null -> None, command -> its verb."""
    command = parse_thread(message.plain, mentions=message.people, addressed=message.addressed)
    assert (command.verb.value if command else None) == message.intent, message.why
    if command and command.verb is Verb.REASSIGN:
        assert command.target == message.people[0]
    if command and message.intent in ("resolve", "escalate_up", "note"):
        assert command.text


def test_a_bare_word_that_needs_a_note_is_a_command_only_in_its_canonical_form() -> None:
    assert parse_thread("resolve") == ThreadCommand(Verb.RESOLVE)  # the desk then asks for the note
    assert parse_thread("rozwiązane") == ThreadCommand(Verb.RESOLVE)
    assert parse_thread("done!") is None
    assert parse_thread("gotowe") is None
