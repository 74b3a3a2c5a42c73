"""Teams end-to-end harness: the real aiohttp app (create_services + create_app + handlers.teams.mount) on a test
server, activities from tests/payloads/teams posted to /api/messages with serviceUrl at a fake Bot Connector.

The app's own lifecycle is swapped for one that migrates and loads the knowledge base but starts no job
worker: tests run due jobs themselves with `await teams.drain()`, so every step is deterministic.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from app.server import create_app, create_services
from bot.config import Config, Settings
from handlers.services import SERVICES, Services
from handlers.teams import mount
from tests.conftest import KB_PATH
from tests.fakes.clock import FakeClock
from tests.fakes.fake_bot_connector import FakeBotConnector

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "teams"
CHANNEL = "19:pl-coordinators@thread.tacv2"
BOT = {"id": "28:bot-app-id", "name": "Support Coordinator"}
PEOPLE = {
    "kasia": ("29:kasia", "Kasia Nowak"),
    "jan": ("29:jan", "Jan Kowalski"),
    "ola": ("29:ola", "Ola Wiśniewska"),
    "maria": ("29:maria", "Maria Zielińska"),
}


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return data


async def _ready_without_worker(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    await services.store.migrate()
    services.knowledge.load()
    services.ready = True
    yield
    await services.store.close()


class Teams:
    """Posts activities as Teams would and reads what the bot sent to the fake connector."""

    def __init__(self, client: TestClient[Any, Any], services: Services, connector: FakeBotConnector) -> None:
        self.client = client
        self.services = services
        self.connector = connector
        self._ids = count(1)

    def activity(self, name: str, *, user: str = "kasia", **fields: Any) -> dict[str, Any]:
        activity = copy.deepcopy(payload(name))
        account, display = PEOPLE[user]
        activity["from"] = {"id": account, "name": display}
        activity["serviceUrl"] = self.connector.url
        activity["id"] = f"{activity['id']}-{next(self._ids)}"
        activity.update(fields)
        return activity

    async def post(self, activity: dict[str, Any], **headers: str) -> tuple[int, Any]:
        response = await self.client.post("/api/messages", json=activity, headers=headers)
        body = await response.json() if response.content_type == "application/json" else await response.text()
        return response.status, body

    async def install_in_channel(self, channel: str = CHANNEL) -> None:
        activity = self.activity("conversation_update_installed_in_team", user="maria")
        activity["conversation"]["id"] = channel
        status, _ = await self.post(activity)
        assert status in (200, 201)

    async def say(self, text: str, *, user: str = "kasia", locale: str = "pl-PL") -> tuple[int, Any]:
        activity = self.activity("message_personal", user=user, text=text, locale=locale)
        activity["conversation"]["id"] = f"a:personal-{user}"
        return await self.post(activity)

    async def say_in_thread(self, text: str, *, thread: str, user: str = "jan") -> tuple[int, Any]:
        activity = self.activity("message_channel_mention", user=user)
        activity["conversation"]["id"] = thread
        activity["text"] = f"<at>{BOT['name']}</at> {text}"
        return await self.post(activity)

    async def click(
        self,
        verb: str,
        data: dict[str, Any],
        *,
        user: str = "jan",
        conversation: str | None = None,
        reply_to: str = "1",
        activity_id: str | None = None,
    ) -> dict[str, Any]:
        """An Action.Execute from a card; returns the invoke response body (statusCode, type, value)."""
        activity = self.activity("invoke_action_execute", user=user, replyToId=reply_to)
        if conversation is not None:
            activity["conversation"]["id"] = conversation
            if not conversation.startswith("19:"):
                activity["conversation"]["conversationType"] = "personal"
        if activity_id is not None:
            activity["id"] = activity_id
        activity["value"]["action"].update(verb=verb, data=data)
        status, body = await self.post(activity)
        assert status == 200, body
        assert isinstance(body, dict)
        return body

    async def drain(self) -> None:
        """Run every job that is due now (posting cards, pings, updates, direct messages)."""
        while await self.services.worker.run_once():
            pass


async def start_teams(services: Services, connector: FakeBotConnector) -> tuple[TestClient[Any, Any], Teams]:
    app = create_app(services)
    app.cleanup_ctx.clear()
    app.cleanup_ctx.append(_ready_without_worker)
    mount(app, services)
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client, Teams(client, services, connector)


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    fake = FakeBotConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/teams.db", kb_path=KB_PATH)


@pytest.fixture
async def teams(
    settings: Settings, config: Config, clock: FakeClock, connector: FakeBotConnector
) -> AsyncIterator[Teams]:
    """Teams in local emulator mode (no credentials), on 127.0.0.1."""
    client, harness = await start_teams(create_services(settings, config, clock=clock), connector)
    yield harness
    await client.close()


@pytest.fixture
async def authenticated_teams(
    settings: Settings, config: Config, clock: FakeClock, connector: FakeBotConnector
) -> AsyncIterator[Teams]:
    """Teams with an app id and password: every request must carry a valid Bot Framework token."""
    secured = replace(
        settings,
        microsoft_app_id="5f0e0c8e-1111-2222-3333-444455556666",
        microsoft_app_password="not-a-real-secret",
    )
    client, harness = await start_teams(create_services(secured, config, clock=clock), connector)
    yield harness
    await client.close()
