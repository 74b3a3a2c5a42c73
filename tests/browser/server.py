"""The whole bot with the playground on a free local port, built exactly as `make run` builds it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from app.server import build_app
from bot.config import Config, Settings
from handlers.services import SERVICES, Services
from playground import PLAYGROUND, Playground
from playground.records import JSON, Change
from playground.workspace import Workspace
from tests.conftest import KB_PATH


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    url: str
    app: web.Application
    session: aiohttp.ClientSession

    @property
    def services(self) -> Services:
        return self.app[SERVICES]

    @property
    def playground(self) -> Playground:
        return self.app[PLAYGROUND]

    @property
    def ws(self) -> Workspace:
        return self.playground.workspace

    async def act(self, action: str, **body: Any) -> tuple[int, JSON]:
        """One action through the browser's JSON API."""
        async with self.session.post(f"{self.url}playground/api/{action}", json=body) as response:
            return response.status, await response.json()

    async def state(self, user: str) -> JSON:
        async with self.session.get(f"{self.url}playground/api/state", params={"user": user}) as response:
            assert response.status == 200
            result: JSON = await response.json()
            return result

    async def until(self, condition: Callable[[], bool], *, within: float = 15.0) -> None:
        """Wait until `condition()` holds, checking after every workspace change (no polling)."""
        changed = asyncio.Event()

        def on_change(_: Change) -> None:
            changed.set()

        unsubscribe = self.ws.subscribe(on_change)
        try:
            async with asyncio.timeout(within):
                while not condition():
                    await changed.wait()
                    changed.clear()
        finally:
            unsubscribe()


@contextlib.asynccontextmanager
async def running_playground(
    tmp_path: Path, config: Config, *, clock: Callable[[], datetime] | None = None, **settings: Any
) -> AsyncIterator[Running]:
    port = free_port()
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/playground.db",
        "kb_path": KB_PATH,
        "host": "127.0.0.1",
        "port": port,
        **settings,
    }
    app = build_app(Settings(**values), config, **({"clock": clock} if clock else {}))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Running(f"http://127.0.0.1:{port}/", app, session)
    finally:
        await runner.cleanup()
