"""Who may talk to /api/messages: verified tokens when credentials are set, loopback only in emulator mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from app.server import create_app, create_services
from bot.config import Config, Settings
from handlers.services import is_loopback
from handlers.teams import mount
from tests.adapters.teams.conftest import Teams, payload
from tests.fakes.addresses import non_loopback_address
from tests.fakes.clock import FakeClock


async def test_missing_token_is_refused_with_401(authenticated_teams: Teams) -> None:
    status, _ = await authenticated_teams.post(authenticated_teams.activity("message_personal"))

    assert status == 401
    assert authenticated_teams.connector.calls == []


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Basic dXNlcjpwYXNz",
        "Bearer "
        + jwt.encode(
            {"iss": "https://evil.example", "aud": "x"}, "secret-key-of-32-bytes-or-more!!", algorithm="HS256"
        ),
    ],
    ids=["not-a-jwt", "not-bearer", "unknown-issuer"],
)
async def test_bad_token_is_refused_with_401_never_500(authenticated_teams: Teams, header: str) -> None:
    status, _ = await authenticated_teams.post(
        authenticated_teams.activity("message_personal"), Authorization=header
    )

    assert status == 401


@pytest.mark.parametrize(
    "activity",
    [
        {},
        {"type": "message", "text": 5, "from": "x", "conversation": 7, "serviceUrl": "http://127.0.0.1:1"},
        {"type": "message", "channelData": "nope", "serviceUrl": "http://127.0.0.1:1", "recipient": [1]},
    ],
    ids=["empty", "wrong-types", "wrong-nesting"],
)
async def test_malformed_activity_is_a_400_never_a_500(teams: Teams, activity: dict[str, Any]) -> None:
    status, _ = await teams.post(activity)

    assert status == 400
    assert teams.connector.calls == []


async def test_emulator_mode_answers_loopback_without_a_token(teams: Teams) -> None:
    status, _ = await teams.say("help")

    assert status == 201
    assert len(teams.connector.of("reply")) == 1


@pytest.mark.parametrize(
    ("remote", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.5", False),
        ("192.168.1.20", False),
        ("::ffff:10.0.0.5", False),
        ("", False),
        (None, False),
        ("localhost", False),
    ],
)
def test_loopback_check(remote: str | None, loopback: bool) -> None:
    assert is_loopback(remote) is loopback


@pytest.fixture
async def open_server(tmp_path: Any, config: Config, clock: FakeClock) -> AsyncIterator[TestServer]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/open.db")
    services = create_services(settings, config, clock=clock)
    app = create_app(services)
    app.cleanup_ctx.clear()

    async def database(_: web.Application) -> AsyncIterator[None]:
        await services.store.migrate()
        yield
        await services.store.close()

    app.cleanup_ctx.append(database)
    mount(app, services)
    server = TestServer(app, host="0.0.0.0")
    await server.start_server()
    yield server
    await server.close()


async def test_emulator_mode_refuses_a_request_from_another_machine(open_server: TestServer) -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to connect from")
    activity = payload("message_personal")

    async with ClientSession() as session:
        # Bound to the non-loopback address, the request arrives from it, as from another machine.
        url = f"http://{address}:{open_server.port}/api/messages"
        async with session.post(url, json=activity) as response:
            assert response.status == 403
