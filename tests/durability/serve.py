"""A real `supportbot serve` process against the fake Slack, and a burst of escalations sent to it as
Slack sends them (signed), for the crash tests: what was acknowledged must survive SIGTERM and kill -9."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text

from bot.cases.views import escalate_form
from bot.config import Config
from bot.directory import Directory
from bot.models import Identity, Platform
from bot.storage.store import Store
from handlers.slack.blocks import marker_of, to_modal
from playground.app_link import AppLink, Delivered
from playground.records import JSON, Message
from tests.conftest import KB_PATH, ROOT
from tests.fakes.fake_slack import FakeSlack

SECRET = "durability-signing-secret-0123456789"
KASIA, PL_CHANNEL = "U0KASIA", "C0PLCOORD"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One `supportbot serve` process; its output goes to `log`."""

    process: asyncio.subprocess.Process
    url: str
    log: Path

    async def stop(self, sig: int = signal.SIGTERM, *, within: float = 60) -> int:
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await self.exited(within=within)

    async def exited(self, *, within: float = 60) -> int:
        """The exit status, once the process ends (a second SIGTERM would cut its drain short)."""
        async with asyncio.timeout(within):
            return await self.process.wait()


@contextlib.asynccontextmanager
async def serve(tmp_path: Path, slack: FakeSlack, database_url: str, *, name: str) -> AsyncIterator[Server]:
    """Start `python -m bot serve` on a free port and wait until /healthz says ready; SIGKILL it at the
    end if the test did not stop it."""
    port = free_port()
    kb = tmp_path / "kb"  # one article: the crash tests are about cases, and a big KB only slows the start
    (kb / "en").mkdir(parents=True, exist_ok=True)
    (kb / "en" / "gift-cards.md").write_text((KB_PATH / "en" / "gift-cards.md").read_text())
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))},
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "KB_PATH": str(kb),
        "SLACK_BOT_TOKEN": "xoxb-durability",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "SUPPORTBOT_PLAYGROUND": "0",
        "SUPPORTBOT_LEASE_SECONDS": "2",
    }
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", cwd=ROOT, env=env, stdout=output, stderr=output
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        await _until_ready(server)
        yield server
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _until_ready(server: Server, *, within: float = 300) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if server.process.returncode is not None:
                raise AssertionError(f"serve exited: {server.log.read_text()[-3000:]}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(server.url + "/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise AssertionError(f"serve not ready in {within} s: {server.log.read_text()[-3000:]}")


def escalations(slack: FakeSlack, config: Config, n: int) -> list[JSON]:
    """`n` escalation forms opened for Kasia (PL) and submitted: the view_submission payloads."""
    ws = slack.workspace
    actor = Directory(config).actor(Identity(Platform.SLACK, KASIA))
    payloads = []
    for i in range(n):
        form = escalate_form(actor.language, config=config, region="PL", summary=f"Crash test case {i}")
        view = ws.open_view(ws.new_trigger(KASIA), to_modal(form, metadata={"channel": ""}))
        payloads.append(ws.submit(KASIA, view.id))
    return payloads


async def send_all(
    server: Server, slack: FakeSlack, payloads: list[JSON], *, on_ack: Callable[[int], None]
) -> list[tuple[JSON, Delivered | BaseException]]:
    """Send every payload at once; `on_ack(n)` after the n-th 200. Returns each payload's outcome."""
    acks = 0
    async with aiohttp.ClientSession() as session:
        link = AppLink(
            slack.api, events_url=server.url + "/slack/events", signing_secret=SECRET, session=session
        )

        async def one(payload: JSON) -> Delivered:
            nonlocal acks
            delivered = await link.deliver(payload)
            if delivered.status == 200:
                acks += 1
                on_ack(acks)
            return delivered

        outcomes = await asyncio.gather(*(one(p) for p in payloads), return_exceptions=True)
    return list(zip(payloads, outcomes, strict=True))


def client_key(payload: JSON) -> str:
    return f"slack-view:{payload['view']['id']}"


def cards(slack: FakeSlack) -> list[Message]:
    ws = slack.workspace
    return [m for m in ws.history(PL_CHANNEL) if m.user == ws.bot_user_id]


def card_markers(slack: FakeSlack) -> list[str | None]:
    return [marker_of(card.to_json()) for card in cards(slack)]


def pings(slack: FakeSlack, card: Message) -> list[Message]:
    return slack.workspace.thread(PL_CHANNEL, card.ts)


@dataclass(frozen=True)
class Counts:
    cases: dict[str, bool]  # client key -> whether its card is recorded
    pending_inbox: int


async def counts(url: str) -> Counts:
    """What the database holds now (read while the server runs: SQLite in WAL mode allows it)."""
    store = Store.connect(url)
    try:
        async with store.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT client_key, card FROM cases"))).all()
        pending = (await store.inbox_counts()).get("pending", 0)
        return Counts({str(key): card is not None for key, card in rows}, pending)
    finally:
        await store.close()


async def until(condition: Callable[[], Any], *, within: float, what: Callable[[], str]) -> None:
    """Poll an async `condition` (the server is another process) until it holds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {within} s: {what()}")
