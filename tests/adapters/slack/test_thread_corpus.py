"""The whole thread-command corpus (tests/corpus/thread-commands, dev set) through the real Slack handler.

Null messages, in each of the three states a case can be in, change nothing (status, assignee,
resolution, history), prompt nothing and get no ✅; only a question addressed to the bot may get an
answer in the thread. Commands are carried out with their intent: claim and note at once, the
destructive ones only after their writer clicks Confirm on the private confirmation.
"""

from __future__ import annotations

import pytest

from tests.adapters.slack.rig import Rig
from tests.corpus import LANGUAGES, corpus
from tests.corpus.slack_player import miss, play_corpus


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_dev_corpus_through_the_slack_handler(rig: Rig, lang: str) -> None:
    """One rig per language (starting one is the slow part); every miss is listed."""
    messages = [m for m in corpus() if m.lang == lang]
    played = await play_corpus(rig, messages)

    assert len(played) == 3 * sum(m.intent is None for m in messages) + sum(
        m.intent is not None for m in messages
    )
    assert [found for p in played if (found := miss(p))] == []
