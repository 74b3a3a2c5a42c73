"""The project's fake Slack for tests: the playground workspace and its Web API, served on 127.0.0.1."""

from __future__ import annotations

from aiohttp import web

from bot.config import Config
from playground.slack_api import SlackWebApi, add_routes
from playground.workspace import Workspace, demo_workspace

PREFIX = "/api/"


class FakeSlack:
    """Start with `await FakeSlack.start(config)`; `url` is the SLACK_API_URL to give the bot."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.api = SlackWebApi(workspace)
        self.app = web.Application()
        add_routes(self.app, self.api, prefix=PREFIX)
        self._runner = web.AppRunner(self.app)
        self.url = ""

    @classmethod
    async def start(cls, config: Config | None = None, *, workspace: Workspace | None = None) -> FakeSlack:
        fake = cls(workspace or (demo_workspace(config) if config else Workspace()))
        await fake._runner.setup()
        site = web.TCPSite(fake._runner, "127.0.0.1", 0)
        await site.start()
        port = fake._runner.addresses[0][1]
        fake.url = f"http://127.0.0.1:{port}{PREFIX}"
        return fake

    async def stop(self) -> None:
        await self.api.socket.close()
        await self._runner.cleanup()
