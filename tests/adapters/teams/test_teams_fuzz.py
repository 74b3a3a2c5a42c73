"""Fuzz: Bot Framework activities of mutated shape through the real HTTP app never get a 5xx and never
leave an unhandled task exception; an invoke that is not Action.Execute gets a proper invoke response,
and an activity without a conversation a 400."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.adapters.mutations import JSON, LoopErrors, mutated
from tests.adapters.teams.conftest import CHANNEL, Teams


def recorded(teams: Teams) -> list[JSON]:
    """One activity of every kind the bot handles: a DM question, a mention in a channel thread, a card
    click (Action.Execute), and the bot being added to a team."""
    question = teams.activity("message_personal", text="Czy klient może zwrócić towar bez paragonu?")
    mention = teams.activity("message_channel_mention", user="jan")
    click = teams.activity("invoke_action_execute", user="jan", replyToId="1")
    click["value"]["action"].update(verb="case.claim", data={"value": "CS-1"})
    installed = teams.activity("conversation_update_installed_in_team", user="maria")
    installed["conversation"]["id"] = CHANNEL
    return [question, mention, click, installed]


async def test_activities_of_any_shape_never_get_a_5xx(
    teams: Teams, caplog: pytest.LogCaptureFixture
) -> None:
    seeds = recorded(teams)
    loop = asyncio.get_running_loop()
    errors = LoopErrors()
    loop.set_exception_handler(errors)
    statuses: list[int] = []

    @settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(case=mutated(seeds))
    def run(case: tuple[int, JSON]) -> None:
        _, activity = case
        status, _ = asyncio.run_coroutine_threadsafe(teams.post(activity), loop).result()
        statuses.append(status)
        assert status < 500

    await asyncio.to_thread(run)
    gc.collect()
    await asyncio.sleep(0)

    assert 400 in statuses and any(s < 300 for s in statuses)
    assert errors.seen == []
    tracebacks = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert tracebacks == []


async def test_an_invoke_that_is_not_action_execute_gets_an_invoke_error_response(teams: Teams) -> None:
    activity = teams.activity("invoke_action_execute", user="jan", replyToId="1")
    activity["value"]["action"]["type"] = "Action.Submit"

    status, body = await teams.post(activity)

    assert 400 <= status < 500
    assert isinstance(body, dict) and body["type"] == "application/vnd.microsoft.error"


@pytest.mark.parametrize("conversation", [None, {}, {"id": ""}])
async def test_an_activity_without_a_conversation_is_a_400(teams: Teams, conversation: Any) -> None:
    activity = teams.activity("message_personal", text="hello")
    if conversation is None:
        del activity["conversation"]
    else:
        activity["conversation"] = conversation

    status, _ = await teams.post(activity)

    assert status == 400
    assert teams.connector.calls == []
