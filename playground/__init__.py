"""The local playground: a Slack workspace in the browser that drives the unchanged Slack handler.

`mount(app, services)`, when `settings.playground_enabled`, builds the demo workspace from the config, serves
its Slack Web API on the same app under `/slack-api/`, and returns services whose settings
point the Slack handler at it (a local bot token, a signing secret made at start, and
`slack_api_url` = this server's own `/slack-api/`). People's actions in the browser become signed
requests to the bot's own `POST /slack/events`, exactly as Slack sends them. Mount it before Slack
(`app.server.PLATFORMS` does), so that Slack's `mount` gets the playground's settings.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.config import Settings
from handlers.services import Services, is_loopback
from playground.server import PLAYGROUND, Playground
from playground.slack_api import SlackWebApi, add_routes
from playground.workspace import demo_workspace

logger = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

API_PREFIX = "/slack-api/"
EVENTS_PATH = "/slack/events"
BOT_TOKEN = "xoxb-playground-local"

__all__ = ["API_PREFIX", "PLAYGROUND", "Playground", "local_url", "mount", "playground_settings"]


def local_url(settings: Settings) -> str:
    """This server's own base URL, as the process itself can reach it (no trailing slash)."""
    host = settings.host if settings.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def playground_settings(settings: Settings, *, signing_secret: str) -> Settings:
    """`settings` with Slack pointed at the playground's Web API on this server (HTTP mode, not Socket Mode)."""
    return dataclasses.replace(
        settings,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=signing_secret,
        slack_app_token=None,
        slack_api_url=local_url(settings) + API_PREFIX,
        playground=True,
    )


def mount(app: web.Application, services: Services) -> Services:
    """Mount the playground on `app` when enabled, and return services whose settings point Slack at it."""
    settings = services.settings
    if not settings.playground_enabled:
        logger.info("playground: off (Slack is configured; set SUPPORTBOT_PLAYGROUND=1 to use it instead)")
        return services
    if settings.slack_enabled:
        logger.warning("playground: SUPPORTBOT_PLAYGROUND is on, so Slack talks to the playground, not Slack")
    signing_secret = secrets.token_hex(32)
    services = dataclasses.replace(
        services, settings=playground_settings(settings, signing_secret=signing_secret)
    )
    workspace = demo_workspace(services.config, clock=time.time)
    api = SlackWebApi(workspace)
    add_routes(app, api, prefix=API_PREFIX)
    playground = Playground(
        api,
        config=services.config,
        events_url=local_url(settings) + EVENTS_PATH,
        signing_secret=signing_secret,
    )
    app[PLAYGROUND] = playground
    playground.add_routes(app)
    app.middlewares.append(local_only)
    return services


LOCAL_PREFIXES = ("/playground/", API_PREFIX)


@web.middleware
async def local_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The playground lets anyone act as anyone: it answers this machine only, whatever HOST says."""
    local_path = request.path == "/" or request.path.startswith(LOCAL_PREFIXES)
    if local_path and not is_loopback(request.remote):
        raise web.HTTPForbidden(text="the playground answers requests from this machine only")
    return await handler(request)
