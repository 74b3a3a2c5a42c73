"""Fuzz: signed Slack payloads of mutated shape through the real HTTP app never get a 5xx and never
leave an unhandled task exception; unsigned requests with malformed signature headers get a 401."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import urllib.parse
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from playground.app_link import signed_headers
from tests.adapters.mutations import JSON, LoopErrors, mutated
from tests.adapters.slack.rig import AMY, GENERAL, JAN, KASIA, SECRET, Rig
from tests.adapters.slack.test_cases import buttons, escalate


def encode(kind: str, payload: JSON) -> tuple[str, str]:
    """Like Slack: JSON for events, form fields for commands, a `payload` form field for interactions.
    ASCII JSON, so a lone surrogate travels as `\\ud800` the way JSON can carry it (in a form field it
    is the bytes of the surrogate, which are not UTF-8)."""
    if kind == "events_api":
        return json.dumps(payload), "application/json"
    form = payload if kind == "slash_commands" else {"payload": json.dumps(payload)}
    return urllib.parse.urlencode(form, errors="surrogatepass"), "application/x-www-form-urlencoded"


async def recorded(rig: Rig) -> list[tuple[str, JSON]]:
    """One real payload of every kind the app listens to, from a workspace with an open case."""
    card = await escalate(rig)
    claim = next(a for a in buttons(card) if a.startswith("case.claim"))
    question = rig.ws.say(AMY, rig.dm(AMY), "Can a customer return an item without a receipt?")
    mention = rig.ws.say(JAN, GENERAL, f"<@{rig.ws.bot_user_id}> where is the returns policy?")
    in_thread = rig.ws.say(JAN, card.channel, "claim", thread_ts=card.ts)
    await rig.command(KASIA, "/escalate", "Terminal down")
    return [
        *(("events_api", e) for e in [*question, *mention, *in_thread]),
        ("events_api", rig.ws.react(JAN, card.channel, card.ts, "eyes")),
        ("events_api", rig.ws.open_home(JAN)),
        ("slash_commands", rig.ws.command(KASIA, GENERAL, "/escalate", "Terminal down")),
        ("interactive", rig.ws.click(JAN, action_id=claim, value=str(card_value(card, claim)), message=card)),
        ("interactive", rig.ws.submit(KASIA, rig.last_view(KASIA).id, {"details": "Since 9:00"})),
        ("interactive", rig.ws.shortcut(AMY, GENERAL, question_ts(rig), "escalate_message")),
    ]


def card_value(card: Any, action_id: str) -> str:
    return next(
        str(e.get("value", ""))
        for b in card.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def question_ts(rig: Rig) -> str:
    return str(rig.ws.say(AMY, GENERAL, "a message to escalate")[0]["event"]["ts"])


@pytest.fixture
async def seeds(rig: Rig) -> list[tuple[str, JSON]]:
    return await recorded(rig)


async def test_signed_payloads_of_any_shape_never_get_a_5xx(
    rig: Rig, seeds: list[tuple[str, JSON]], caplog: pytest.LogCaptureFixture
) -> None:
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
    @given(case=mutated([payload for _, payload in seeds]))
    def run(case: tuple[int, JSON]) -> None:
        index, payload = case
        body, content_type = encode(seeds[index][0], payload)
        status = asyncio.run_coroutine_threadsafe(post(rig, body, content_type), loop).result()
        statuses.append(status)
        assert status < 500

    await asyncio.to_thread(run)
    await rig.settle()
    gc.collect()
    await asyncio.sleep(0)

    assert 200 in statuses and 400 in statuses  # the mutations hit both sides of the shape check
    assert errors.seen == []
    tracebacks = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert tracebacks == []


async def post(rig: Rig, body: str, content_type: str) -> int:
    headers = signed_headers(SECRET, body, content_type=content_type)
    response = await rig.client.post("/slack/events", data=body.encode(), headers=headers)
    status = response.status
    response.release()
    return status


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "1" * 400, "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": "v0=é"},
        {},
    ],
)
async def test_malformed_signature_headers_get_a_401(rig: Rig, headers: dict[str, str]) -> None:
    response = await rig.client.post(
        "/slack/events",
        data=b'{"type": "event_callback"}',
        headers={"Content-Type": "application/json", **headers},
    )
    assert response.status == 401
    assert rig.api.calls == []
