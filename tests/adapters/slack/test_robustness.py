"""Slack's delivery guarantees: signatures, retried events, ack latency, Socket Mode."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app.server import create_app, create_services
from bot.config import Config
from handlers.slack import mount
from playground.app_link import AppLink, encode, signed_headers
from tests.adapters.slack.rig import AMY, SECRET, Rig, rig_settings, stop_background_worker, watch_listeners
from tests.fakes.clock import FakeClock
from tests.fakes.fake_slack import FakeSlack


async def _post(rig: Rig, payload: dict[str, Any], headers: dict[str, str], body: str) -> tuple[int, str]:
    response = await rig.client.post("/slack/events", data=body.encode(), headers=headers)
    return response.status, await response.text()


async def test_forged_signature_is_refused_and_the_body_ignored(rig: Rig) -> None:
    [event] = rig.ws.say(AMY, rig.dm(AMY), "Can a customer return an item without a receipt?")
    body, content_type = encode("events_api", event)
    headers = signed_headers("not-the-secret", body, content_type=content_type)

    status, _ = await _post(rig, event, headers, body)

    await rig.settle()
    assert status == 401
    assert rig.api.calls == []


async def test_stale_signature_is_refused_even_when_correctly_signed(rig: Rig) -> None:
    [event] = rig.ws.say(AMY, rig.dm(AMY), "Can a customer return an item without a receipt?")
    body, content_type = encode("events_api", event)
    headers = signed_headers(SECRET, body, content_type=content_type, timestamp=time.time() - 6 * 60)

    status, _ = await _post(rig, event, headers, body)

    await rig.settle()
    assert status == 401
    assert rig.api.calls == []


@pytest.mark.parametrize("secret", ["not-the-secret", SECRET])
async def test_malformed_payload_is_refused_cleanly(rig: Rig, secret: str) -> None:
    body = "payload=%7Bnot-json"
    headers = signed_headers(secret, body, content_type="application/x-www-form-urlencoded")

    status, _ = await _post(rig, {}, headers, body)

    await rig.settle()
    assert status == (401 if secret != SECRET else 400)  # unsigned: refused before the body is read
    assert rig.api.calls == []


async def test_a_retried_event_is_answered_once(rig: Rig) -> None:
    [event] = rig.ws.say(AMY, rig.dm(AMY), "Can a customer return an item without a receipt?")

    await rig.deliver(event)
    await rig.deliver(event, retry_num=1)
    await rig.deliver(event, retry_num=2)

    assert len(rig.api.calls_to("chat.postMessage")) == 1


async def test_slash_command_is_acked_before_the_work_is_done(rig: Rig) -> None:
    payload = rig.ws.command(AMY, rig.dm(AMY), "/escalate", "Broken TV, customer angry")

    delivered = await rig.link.deliver(payload)

    assert delivered.status == 200
    assert delivered.elapsed < 1.0
    await rig.settle()
    assert rig.ws.open_views(AMY)


async def test_url_verification_challenge_is_answered(rig: Rig) -> None:
    payload = {
        "token": "t",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    body, content_type = encode("events_api", payload)

    status, text = await _post(rig, payload, signed_headers(SECRET, body, content_type=content_type), body)

    assert status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


@pytest.fixture
async def socket_rig(
    fake_slack: FakeSlack, config: Config, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Rig]:
    """The app with only a bot token and an app token: Slack reaches it over Socket Mode, not HTTP."""
    settings = rig_settings(
        tmp_path, fake_slack.url, slack_signing_secret=None, slack_app_token="xapp-1-test"
    )
    services = create_services(settings, config, clock=clock)
    app = create_app(services)
    mount(app, services)
    listeners = watch_listeners(app)
    stop_tracking = listeners.track(asyncio.get_running_loop())
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    await stop_background_worker()
    await fake_slack.api.socket.connected.wait()
    yield Rig(fake_slack, client, services, clock, AppLink(fake_slack.api), listeners)
    await client.close()
    stop_tracking()


async def test_socket_mode_answers_questions_and_opens_modals(socket_rig: Rig) -> None:
    rig = socket_rig
    assert rig.api.calls_to("apps.connections.open")[0].token == "xapp-1-test"
    response = await rig.client.post("/slack/events", data=b"{}")
    assert response.status == 404  # no HTTP endpoint without a signing secret

    await rig.say(AMY, rig.dm(AMY), "Can a customer return an item without a receipt?")
    await rig.command(AMY, "/escalate", "Broken TV", channel=rig.dm(AMY))

    assert rig.ws.history(rig.dm(AMY))[-1].user == rig.ws.bot_user_id
    assert rig.ws.open_views(AMY)


async def test_socket_mode_view_submission_errors_travel_in_the_ack(socket_rig: Rig) -> None:
    rig = socket_rig
    await rig.command(AMY, "/escalate", "TV", channel=rig.dm(AMY))

    delivered = await rig.submit(AMY)

    assert delivered.body["response_action"] == "errors"
    assert list(delivered.body["errors"]) == ["summary"]
