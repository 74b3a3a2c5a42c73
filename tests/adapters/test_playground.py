"""The playground on the bot's own app: it runs the unchanged Slack handler against its local Web API,
delivers people's actions as signed requests, streams what each person may see, and `serve` announces it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from app.server import build_app
from bot.config import Config, Settings
from handlers.services import SERVICES
from playground import API_PREFIX, local_url
from playground.records import JSON
from tests.browser.server import Running, free_port, running_playground
from tests.conftest import KB_PATH, ROOT
from tests.fakes.addresses import non_loopback_address
from tests.fakes.clock import FakeClock

KASIA, JAN, OLA = "U0KASIA", "U0JAN", "U0OLA"


@pytest.fixture
async def running(tmp_path: Path, config: Config, clock: FakeClock) -> AsyncIterator[Running]:
    async with running_playground(tmp_path, config, clock=clock) as running:
        yield running


def test_without_slack_credentials_slack_is_pointed_at_the_playground_with_a_fresh_secret(
    config: Config, tmp_path: Path
) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db", host="0.0.0.0", port=4000)
    first = build_app(settings, config)[SERVICES].settings
    second = build_app(settings, config)[SERVICES].settings

    assert first.slack_api_url == "http://127.0.0.1:4000" + API_PREFIX
    assert first.slack_bot_token and first.slack_bot_token.startswith("xoxb-")
    assert first.slack_signing_secret and len(first.slack_signing_secret) >= 32
    assert first.slack_signing_secret != second.slack_signing_secret
    assert first.slack_app_token is None


def test_with_slack_configured_the_playground_stays_off_unless_asked(config: Config, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/a.db"
    real = Settings(database_url=url, slack_bot_token="xoxb-real", slack_signing_secret="s" * 32)

    off = build_app(real, config)
    forced = build_app(dataclasses.replace(real, playground=True), config)

    assert "playground" not in off.router.named_resources()
    assert off[SERVICES].settings.slack_api_url == "https://slack.com/api/"
    assert "playground" in forced.router.named_resources()
    assert forced[SERVICES].settings.slack_bot_token != "xoxb-real"


def test_local_url_reaches_a_wildcard_host_over_loopback() -> None:
    assert local_url(Settings(host="::", port=5000)) == "http://127.0.0.1:5000"
    assert local_url(Settings(host="::1", port=5000)) == "http://[::1]:5000"


async def test_the_page_and_its_scripts_are_served(running: Running) -> None:
    async with running.session.get(running.url) as page:
        assert page.status == 200
        assert "/playground/static/app.js" in await page.text()
    for name in ("app.js", "blockkit.js", "app.css"):
        async with running.session.get(f"{running.url}playground/static/{name}") as asset:
            assert asset.status == 200, name


async def test_a_dm_question_reaches_the_bot_signed_and_its_answer_appears_in_the_state(
    running: Running,
) -> None:
    dm = running.ws.open_im(KASIA).id
    status, body = await running.act(
        "say", user=KASIA, channel=dm, text="Czy klient może zwrócić towar bez paragonu?"
    )
    assert (status, body["ok"]) == (200, True)

    await running.until(lambda: len(running.ws.history(dm)) == 2)

    state = await running.state(KASIA)
    answer = state["messages"][dm][-1]
    assert answer["user"] == running.ws.bot_user_id
    assert answer["blocks"][0]["text"]["text"] == "Zwrot towaru bez paragonu"
    calls = {c.method for c in running.playground.api.calls}
    assert "chat.postMessage" in calls  # the bot called the Web API over HTTP


async def test_requests_not_signed_with_the_playground_secret_are_refused(running: Running) -> None:
    body = json.dumps(running.ws.say(KASIA, running.ws.open_im(KASIA).id, "hello")[0])
    headers = {
        "X-Slack-Request-Timestamp": "1",
        "X-Slack-Signature": "v0=forged",
        "Content-Type": "application/json",
    }
    async with running.session.post(f"{running.url}slack/events", data=body, headers=headers) as response:
        assert response.status == 401


async def test_slash_command_answers_only_the_caller_and_unknown_commands_are_refused(
    running: Running,
) -> None:
    status, _ = await running.act("command", user=JAN, channel="C0PLCOORD", command="/cases")
    assert status == 200
    await running.until(lambda: bool(running.ws.ephemerals_for(JAN)))

    assert (await running.state(JAN))["ephemerals"]
    assert (await running.state(OLA))["ephemerals"] == []
    status, body = await running.act("command", user=JAN, channel="C0PLCOORD", command="/shrug")
    assert (status, body["error"]) == (400, "unknown_command")


async def test_opening_the_app_home_publishes_the_persons_queue(running: Running) -> None:
    await running.act("home", user=JAN)
    await running.until(lambda: JAN in running.ws.homes)

    home = (await running.state(JAN))["home"]
    assert home["view"]["type"] == "home"
    assert (await running.state(OLA))["home"] is None


async def test_actions_of_people_outside_the_demo_are_refused(running: Running) -> None:
    status, body = await running.act("say", user="U0NOBODY", channel="C0GENERAL", text="hi")
    assert (status, body["error"]) == (404, "unknown_user")
    status, body = await running.act("react", user=JAN, channel="C0GENERAL", ts="1.1", name="eyes")
    assert (status, body["error"]) == (400, "message_not_found")


async def test_live_updates_carry_a_persons_own_changes_and_not_others_ephemerals(running: Running) -> None:
    url = f"{running.url}playground/api/events"
    received: list[JSON] = []
    async with running.session.get(url, params={"user": OLA}) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        running.ws.post_ephemeral("C0PLCOORD", JAN, text="only for Jan")
        running.ws.post_message("C0PLCOORD", text="for everyone in the channel")
        async with asyncio.timeout(10):
            async for line in stream.content:
                if line.startswith(b"data: "):
                    received.append(json.loads(line[6:]))
                    break

    assert received == [
        {"kind": "message", "data": {"channel": "C0PLCOORD", "message": received[0]["data"]["message"]}}
    ]
    assert received[0]["data"]["message"]["text"] == "for everyone in the channel"


async def test_serve_prints_the_playground_url(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/serve.db",
        "KB_PATH": str(KB_PATH),
    }
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SUPPORTBOT_PLAYGROUND"):
        env.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(60):
            lines = [(await process.stdout.readline()).decode() for _ in range(2)]
        assert f"playground: http://127.0.0.1:{port}/\n" in lines
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/") as page:
            assert page.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()


def test_with_teams_credentials_the_playground_stays_off(config: Config, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db",
        microsoft_app_id="app",
        microsoft_app_password="pw",
    )
    assert "playground" not in build_app(settings, config).router.named_resources()


async def test_the_playground_answers_this_machine_only(config: Config, tmp_path: Path) -> None:
    from aiohttp.test_utils import TestServer

    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to send from")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db", host="0.0.0.0")
    app = build_app(settings, config)
    async with TestServer(app, host="0.0.0.0") as server, aiohttp.ClientSession() as session:
        for host, expected in (("127.0.0.1", 200), (address, 403)):
            async with session.get(f"http://{host}:{server.port}/playground/api/people") as response:
                assert response.status == expected, host
        async with session.get(f"http://{address}:{server.port}/healthz") as health:
            assert health.status == 200  # the rest of the server is not the playground's to refuse


async def test_report_in_the_playground_shows_its_charts_served_as_png(running: Running) -> None:
    status, _ = await running.act("command", user=JAN, channel="C0PLCOORD", command="/report", text="7d")
    assert status == 200
    dm = running.ws.open_im(JAN).id
    await running.until(
        lambda: any(b.get("type") == "image" for m in running.ws.history(dm) for b in m.blocks), within=60
    )

    images = [b for m in running.ws.history(dm) for b in m.blocks if b.get("type") == "image"]
    async with running.session.get(images[0]["image_url"]) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert (await response.read()).startswith(b"\x89PNG\r\n\x1a\n")
