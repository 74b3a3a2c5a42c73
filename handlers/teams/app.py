"""Teams on the shared aiohttp app: `POST /api/messages` through botbuilder's CloudAdapter.

With MICROSOFT_APP_ID/PASSWORD set, every request is verified by botbuilder (bad or missing token: 401).
Without them the endpoint runs in local emulator mode and only answers requests from loopback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from azure.core.exceptions import DeserializationError
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes
from msrest.serialization import Model

from bot.config import Settings
from bot.models import Platform
from bot.text import clean_json
from handlers.services import Services, is_loopback
from handlers.teams import shape
from handlers.teams.bot import SupportBot
from handlers.teams.keys import unseen_channels
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.turn_errors import turn_error_handler

logger = logging.getLogger(__name__)

ROUTE = "/api/messages"
# Invokes SupportBot answers (Universal Actions); botbuilder would answer any other with a 501.
HANDLED_INVOKES = frozenset({"adaptiveCard/action"})


@dataclass(frozen=True, slots=True)
class _BotConfiguration:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str | None
    APP_PASSWORD: str | None
    APP_TENANTID: str | None
    APP_TYPE: str


def authentication(settings: Settings) -> ConfigurationBotFrameworkAuthentication:
    configuration = _BotConfiguration(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TENANTID=settings.microsoft_app_tenant_id,
        APP_TYPE=settings.microsoft_app_type,
    )
    return ConfigurationBotFrameworkAuthentication(configuration)


def mount(app: web.Application, services: Services) -> None:
    """Add `POST /api/messages` and register the Teams notifier with the desk."""
    settings = services.settings
    authenticated = settings.teams_authenticated
    auth = authentication(settings)
    adapter = CloudAdapter(auth)
    notifier = TeamsNotifier(
        adapter=adapter, store=services.store, app_id=settings.microsoft_app_id, clock=services.desk.clock
    )
    bot = SupportBot(services.desk, store=services.store, notifier=notifier, inbox=services.inbox)
    adapter.on_turn_error = turn_error_handler(services.desk, bot)
    services.notifier.add(Platform.TEAMS, notifier)

    async def on_messages(request: web.Request) -> web.StreamResponse:
        if not authenticated and not is_loopback(request.remote):
            logger.warning(
                "Teams: refused %s: emulator mode (no MICROSOFT_APP_ID) answers loopback only", request.remote
            )
            raise web.HTTPForbidden(text="Teams is in local emulator mode: only requests from this machine")
        try:
            body: Any = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="expected a JSON activity") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="expected a JSON activity")
        body = clean_json(body)
        why = shape.problem(body)
        if why is not None:
            logger.info("Teams: refused an activity of the wrong shape: %s", why)
            raise web.HTTPBadRequest(text="malformed activity")
        try:
            activity: Activity = Activity().deserialize(body)
        except (DeserializationError, TypeError, ValueError, AttributeError):
            raise web.HTTPBadRequest(text="malformed activity") from None
        if not activity.type or not activity.service_url:
            logger.info("Teams: refused an activity without a type or serviceUrl")
            raise web.HTTPBadRequest(text="an activity needs a type and a serviceUrl")
        if activity.conversation is None or not activity.conversation.id:
            logger.info("Teams: refused a %s activity without a conversation", activity.type)
            raise web.HTTPBadRequest(text="an activity needs a conversation")
        if activity.type == ActivityTypes.invoke and activity.name not in HANDLED_INVOKES:
            logger.info("Teams: refused an invoke the bot does not handle: %r", activity.name)
            raise web.HTTPBadRequest(text="this bot handles only adaptiveCard/action invokes")
        try:
            verified = await auth.authenticate_request(activity, request.headers.get("Authorization", ""))
        except Exception as error:  # botbuilder raises PermissionError, jwt errors or plain Exception
            logger.info("Teams: unauthenticated request from %s: %s", request.remote, error)
            raise web.HTTPUnauthorized(text="invalid or missing Bot Framework token") from None
        response = await adapter.process_activity(verified, activity, bot.on_turn)
        if response is None:
            return web.Response(status=201)
        body = serializer_helper(response.body) if isinstance(response.body, Model) else response.body
        return web.json_response(body, status=response.status)

    app.router.add_post(ROUTE, on_messages)

    async def report_unseen(_: web.Application) -> None:
        try:
            problems = await unseen_channels(services.store, services.config)
        except Exception:  # a startup warning must never stop the server
            logger.exception("Teams: could not check which coordinators channels the bot has seen")
            return
        for problem in problems:
            logger.warning("Teams: %s", problem)

    app.on_startup.append(report_unseen)
    logger.info("Teams: %s at %s", "authenticated" if authenticated else "local emulator mode", ROUTE)
