"""Slack: the bolt AsyncApp on the shared aiohttp app (`POST /slack/events`) or over Socket Mode.

`mount(app, services)` is driven purely by the services' settings: with a bot token and a signing secret (or an app token for
Socket Mode) it builds the bolt app, routes Slack's requests to it and registers the SlackNotifier.
`build_slack_app(desk, settings, client=...)` builds the bolt app alone (for tests and benchmarks).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases.desk import SupportDesk
from bot.config import Settings
from bot.models import Platform
from bot.text import clean_json
from bot.timers.inbox import Inbox
from handlers.services import Services
from handlers.slack import actions, durable, events, reports, shape, shortcuts
from handlers.slack import failures as errors
from handlers.slack import slash_commands as commands
from handlers.slack import submissions as views
from handlers.slack.context import People
from handlers.slack.notifier import SlackNotifier
from handlers.slack.pacing import Pacer

logger = logging.getLogger(__name__)

SLACK_APP = web.AppKey("slack_app", AsyncApp)
EVENTS_PATH = "/slack/events"


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: base URL from SLACK_API_URL, retrying rate limits and connection errors."""
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
        ],
    )


class Inject(AsyncMiddleware):
    """Puts the desk, the people cache, the pacer and the inbox in every request's context (listeners take
    them as parameters). A middleware class, so bolt calls it directly instead of inspecting its signature."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        req.context.update(self._values)
        return await next()


def build_slack_app(
    desk: SupportDesk, settings: Settings, *, client: AsyncWebClient | None = None, inbox: Inbox | None = None
) -> AsyncApp:
    """The bolt app with every listener; `desk`, `people`, `pacer` and `inbox` are set in the context of
    each request. With an `inbox`, state-changing requests are recorded before their ack and rerun from
    it after a crash (durable.py)."""
    client = client or web_client(settings)
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=False,
        ignoring_self_events_enabled=True,
        request_verification_enabled=False,  # the route verifies before anything reads the body
    )
    values: dict[str, Any] = {"desk": desk, "people": People(desk), "pacer": Pacer(), "inbox": inbox}
    app.use(Inject(values))
    if inbox is not None:
        inbox.register(durable.PREFIX, durable.replayer(client, values))
    for module in (commands, actions, views, events, shortcuts, reports, errors):
        module.register(app)
    return app


def mount(app: web.Application, services: Services) -> Services:
    """Mount Slack on `app` when the settings configure it; otherwise do nothing."""
    settings = services.settings
    if not settings.slack_enabled:
        logger.info("slack: not configured (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN)")
        return services
    client = web_client(settings)
    app.cleanup_ctx.append(_shared_session(client))
    slack_app = build_slack_app(services.desk, settings, client=client, inbox=services.inbox)
    app[SLACK_APP] = slack_app
    services.notifier.add(Platform.SLACK, SlackNotifier(client))
    if settings.slack_signing_secret:
        verifier = SignatureVerifier(settings.slack_signing_secret)

        async def slack_events(request: web.Request) -> web.Response:
            """Verify the signature before anything reads the body; then a body that is not a Slack
            payload of the shape the listeners read is a 400 (one log line), before bolt parses it."""
            body = (await request.read()).decode("utf-8", errors="replace")  # not UTF-8: the signature fails
            if not _signed(verifier, body, request):
                logger.info("slack: refused a request from %s: invalid or stale signature", request.remote)
                raise web.HTTPUnauthorized(text="invalid or stale Slack signature")
            try:
                parsed = parse_body(body, request.headers.get("Content-Type"))
            except ValueError:
                parsed = None
            cleaned = clean_json(parsed)
            why = shape.problem(cleaned) if parsed is not None else "not JSON or form data"
            if why is not None:
                logger.info("slack: refused a signed payload of the wrong shape: %s", why)
                raise web.HTTPBadRequest(text="malformed Slack payload")
            bolt_request = AsyncBoltRequest(
                body=body, query=request.query_string, headers=dict(request.headers)
            )
            if cleaned != parsed:  # NUL or a lone surrogate: listeners see U+FFFD instead
                bolt_request.body = cleaned
                bolt_request.context = build_async_context(AsyncBoltContext(), cleaned)
            return await to_aiohttp_response(await slack_app.async_dispatch(bolt_request))

        app.router.add_post(EVENTS_PATH, slack_events)
    if settings.slack_app_token:
        services.background.append(socket_mode(slack_app, settings.slack_app_token, client))
    return services


def _signed(verifier: SignatureVerifier, body: str, request: web.Request) -> bool:
    """Whether the request carries a valid, fresh signature; malformed headers (a timestamp that is
    not a number, a signature that is not ASCII) are simply not valid."""
    try:
        return verifier.is_valid_request(body, dict(request.headers))
    except (ValueError, TypeError, OverflowError):
        return False


def _shared_session(client: AsyncWebClient) -> Callable[[web.Application], AsyncIterator[None]]:
    """One keep-alive HTTP session for every Web API call while the app runs (else one per call)."""

    async def session(app: web.Application) -> AsyncIterator[None]:
        client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
        try:
            yield
        finally:
            await client.session.close()
            client.session = None

    return session


def socket_mode(slack_app: AsyncApp, app_token: str, client: AsyncWebClient) -> Callable[[], Any]:
    """A background task: stay connected over Socket Mode until cancelled."""

    async def run() -> None:
        handler = AsyncSocketModeHandler(slack_app, app_token, web_client=client)
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]
            await asyncio.Event().wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]

    return run
