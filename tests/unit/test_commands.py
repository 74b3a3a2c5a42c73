"""Chat commands: tolerant thread verbs in four languages (/oncall: test_rota_changes.py)."""

from __future__ import annotations

import pytest

from bot.commands import ThreadCommand, Verb, parse_thread
from bot.models import PersonId


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
    ],
)
def test_claim_phrases_in_four_languages(text: str) -> None:
    assert parse_thread(text) == ThreadCommand(Verb.CLAIM)


@pytest.mark.parametrize("text", ["is this mine to answer or should I wait?", "hello", "thanks!", "", "   "])
def test_ordinary_conversation_is_not_a_command(text: str) -> None:
    assert parse_thread(text) is None


@pytest.mark.parametrize(
    ("text", "verb", "rest"),
    [
        ("resolve: refunded 20 EUR to card", Verb.RESOLVE, "refunded 20 EUR to card"),
        ("Rozwiązane - zwrot na kartę", Verb.RESOLVE, "zwrot na kartę"),
        ("вирішено: обміняли товар", Verb.RESOLVE, "обміняли товар"),
        ("riješeno, vraćen novac", Verb.RESOLVE, "vraćen novac"),
        ("release", Verb.RELEASE, ""),
        ("note customer called again", Verb.NOTE, "customer called again"),
        ("escalate legal threat", Verb.ESCALATE_UP, "legal threat"),
        ("reopen: still broken", Verb.REOPEN, "still broken"),
    ],
)
def test_verbs_keep_the_rest_of_the_message(text: str, verb: Verb, rest: str) -> None:
    assert parse_thread(text) == ThreadCommand(verb, rest)


def test_reassign_takes_the_first_mention() -> None:
    command = parse_thread("reassign <@U0OLA> please", mentions=(PersonId("ola"), PersonId("jan")))
    assert command is not None
    assert (command.verb, command.target) == (Verb.REASSIGN, "ola")
    assert parse_thread("przekaż", mentions=()) == ThreadCommand(Verb.REASSIGN, "", None)
