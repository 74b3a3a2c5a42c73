"""The Slack rig: the real aiohttp app (services, lifecycle, job worker) with Slack mounted from Settings,
talking to the fake Slack Web API on 127.0.0.1; people act through the workspace and their actions
arrive at POST /slack/events as signed requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.config import Settings
from handlers.services import Services
from handlers.slack import SLACK_APP
from playground.app_link import AppLink, Delivered
from playground.records import JSON, Message, View
from playground.slack_api import SlackWebApi
from playground.workspace import Workspace
from tests.adapters.slack.listener_work import ListenerWork
from tests.conftest import KB_PATH
from tests.fakes.clock import FakeClock
from tests.fakes.fake_slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"

# Slack ids of the demo config's people
KASIA, PETRO, AMY = "U0KASIA", "U0PETRO", "U0AMY"
JAN, OLA, OLENA, TARAS, IVANA, TOM, MARIA = (
    "U0JAN",
    "U0OLA",
    "U0OLENA",
    "U0TARAS",
    "U0IVANA",
    "U0TOM",
    "U0MARIA",
)
PL_CHANNEL = "C0PLCOORD"
GENERAL = "C0GENERAL"


async def stop_background_worker() -> None:
    """Stop the app's own job worker so that `Rig.settle` runs every job, in order, deterministically."""
    for task in asyncio.all_tasks():
        if task.get_name() == "job-worker":
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def watch_listeners(app: web.Application) -> ListenerWork:
    """Mark every request the app's bolt app dispatches, so that `Rig.settle` can wait for the listeners'
    work (call before the app starts, then `ListenerWork.track` the running loop)."""
    work = ListenerWork()
    app[SLACK_APP].use(work)
    return work


@dataclass
class Rig:
    slack: FakeSlack
    client: TestClient[Any, Any]
    services: Services
    clock: FakeClock
    link: AppLink
    listeners: ListenerWork

    @property
    def ws(self) -> Workspace:
        return self.slack.workspace

    @property
    def api(self) -> SlackWebApi:
        return self.slack.api

    async def settle(self) -> None:
        """Wait for every listener still working after its ack, then run the due jobs, until quiet."""
        for _ in range(20):
            if self.listeners.pending():
                await self.listeners.finished()
                continue
            if await self.services.worker.run_once() == 0:
                return
        raise AssertionError("the app did not settle")

    async def deliver(self, payload: JSON | dict[str, str], *, retry_num: int | None = None) -> Delivered:
        delivered = await self.link.deliver(payload, retry_num=retry_num)
        assert delivered.status == 200, delivered
        await self.settle()
        return delivered

    async def say(self, user: str, channel: str, text: str, *, thread_ts: str | None = None) -> None:
        for event in self.ws.say(user, channel, text, thread_ts=thread_ts):
            await self.deliver(event)

    async def command(self, user: str, command: str, text: str = "", *, channel: str = GENERAL) -> Delivered:
        return await self.deliver(self.ws.command(user, channel, command, text))

    def dm(self, user: str) -> str:
        return self.ws.open_im(user).id

    def last_view(self, user: str) -> View:
        views = self.ws.open_views(user)
        assert views, f"no modal open for {user}"
        return views[-1]

    async def submit(self, user: str, values: dict[str, str] | None = None) -> Delivered:
        return await self.deliver(self.ws.submit(user, self.last_view(user).id, values))

    async def click(self, user: str, message: Any, action: str, value: str | None = None) -> None:
        _, button = _button(message.blocks, action)
        await self.deliver(
            self.ws.click(
                user, action_id=button["action_id"], value=value or button.get("value", ""), message=message
            )
        )

    def cards(self, channel: str = PL_CHANNEL) -> list[Message]:
        return [m for m in self.ws.history(channel) if m.user == self.ws.bot_user_id]

    def thread_texts(self, card: Message) -> list[str]:
        return [m.text for m in self.ws.thread(card.channel, card.ts)]

    def ephemeral_texts(self, user: str) -> list[str]:
        return [e.text for e in self.ws.ephemerals_for(user)]


def _button(blocks: list[JSON], action: str) -> tuple[str, JSON]:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["action_id"].split("#")[0] == action:
                return str(block.get("block_id", "")), element
    raise AssertionError(f"no {action} button in {blocks}")


def block_text(blocks: list[JSON]) -> str:
    """Every piece of text in blocks, for asserting what a person sees."""
    parts: list[str] = []
    for block in blocks:
        for key in ("text",):
            if isinstance(block.get(key), dict):
                parts.append(block[key]["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            text = item.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


def mrkdwn_texts(blocks: list[JSON]) -> list[str]:
    """The texts of blocks that Slack parses as mrkdwn (where a mention or link would be live)."""
    found: list[str] = []
    for block in blocks:
        for item in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(item, dict) and item.get("type") == "mrkdwn":
                found.append(str(item["text"]))
    return found


def rig_settings(tmp_path: Path, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/slack.db",
        "kb_path": KB_PATH,
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": api_url,
        **overrides,
    }
    return Settings(**values)
