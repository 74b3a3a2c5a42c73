"""The whole thread-command corpus (tests/corpus/thread-commands, dev set) through the real Slack handler.

Null messages, in each of the three states a case can be in, change nothing (status, assignee,
resolution, history), prompt nothing and get no ✅; only a question addressed to the bot may get an
answer in the thread. Commands are carried out with their intent: claim and note at once,
destructive ones only after their writer clicks Confirm on the private confirmation.
"""

from __future__ import annotations

import pytest

from tests.adapters.slack.rig import Rig
from tests.corpus import LANGUAGES, corpus
from tests.corpus.slack_player import STATE_FOR, State, open_case, play

DESTRUCTIVE = ("resolve", "release", "reassign", "escalate_up", "reopen")


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_dev_corpus_through_the_slack_handler(rig: Rig, lang: str) -> None:
    """One rig per language (starting one is the slow part); every miss is listed."""
    assert await null_misses(rig, lang) == []
    assert await command_misses(rig, lang) == []


async def null_misses(rig: Rig, lang: str) -> list[str]:
    misses = []
    nulls = [m for m in corpus() if m.lang == lang and m.intent is None]
    cases = {state: await open_case(rig, nulls[0], state) for state in State}  # shared: nulls change nothing
    for message in nulls:
        for state in State:
            played = await play(rig, message, state, on=cases[state])
            if played.changed or played.prompted or played.reacted or played.intent:
                misses.append(f"{state}: {message.text!r} -> {played}")
                cases[state] = await open_case(rig, message, state)
            if played.answered and not message.addressed:
                misses.append(f"{state}: {message.text!r} got an answer in the thread")
    return misses


async def command_misses(rig: Rig, lang: str) -> list[str]:
    misses = []
    for message in (m for m in corpus() if m.lang == lang and m.intent is not None):
        played = await play(rig, message, STATE_FOR[message.intent or ""])
        confirmed_first = message.intent in DESTRUCTIVE
        if played.intent != message.intent or played.problem:
            misses.append(f"{message.text!r} -> {played.intent} {played.problem}")
        elif confirmed_first and (played.changed or not played.prompted):
            misses.append(f"{message.text!r} acted before Confirm")
        elif not confirmed_first and not played.reacted:
            misses.append(f"{message.text!r} was not marked as done")
    return misses
