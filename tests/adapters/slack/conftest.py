"""Fixtures of the Slack adapter tests: the fake Slack on 127.0.0.1 and the rig (see rig.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app.server import create_app, create_services
from bot.config import Config
from handlers.slack import mount
from playground.app_link import AppLink
from tests.adapters.slack.rig import SECRET, Rig, rig_settings, stop_background_worker, watch_listeners
from tests.fakes.clock import FakeClock
from tests.fakes.fake_slack import FakeSlack


@pytest.fixture
async def fake_slack(config: Config) -> AsyncIterator[FakeSlack]:
    slack = await FakeSlack.start(config)
    yield slack
    await slack.stop()


@pytest.fixture
async def rig(fake_slack: FakeSlack, config: Config, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Rig]:
    services = create_services(rig_settings(tmp_path, fake_slack.url), config, clock=clock)
    app = create_app(services)
    mount(app, services)
    listeners = watch_listeners(app)
    stop_tracking = listeners.track(asyncio.get_running_loop())
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    await stop_background_worker()
    link = AppLink(
        fake_slack.api,
        events_url=str(client.make_url("/slack/events")),
        signing_secret=SECRET,
        session=client.session,
    )
    yield Rig(fake_slack, client, services, clock, link, listeners)
    await client.close()
    stop_tracking()
