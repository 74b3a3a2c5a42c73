"""The one place Slack listener errors are caught: a BotError is told to the person who acted
(ephemeral, in their language); anything else is logged and answered with a generic apology."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import BotError, NotAllowed
from bot.i18n import catalog, t
from bot.replies import Reply
from handlers.slack.context import People, answer, where_of

logger = logging.getLogger(__name__)


def user_message(error: BotError, lang: str) -> str:
    """The error's message in `lang`; NotAllowed says why when the catalog has that reason."""
    key = error.user_message
    if isinstance(error, NotAllowed):
        specific = f"{key}.{error.params.get('reason')}"
        if specific in catalog("en"):
            key = specific
    return t(lang, key, **error.params)


async def on_error(error: Exception, body: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
    people: People | None = context.get("people")
    where = where_of(body) if isinstance(body, dict) else None
    if not isinstance(error, BotError):
        logger.exception("slack listener failed", exc_info=error)
    if people is None or where is None or not where.user:
        return
    try:
        actor = await people.actor(client, where.user)
        text = (
            user_message(error, actor.language)
            if isinstance(error, BotError)
            else t(actor.language, "error.generic")
        )
        await answer(client, where, Reply(text=text, ephemeral=True), private=True)
    except SlackApiError as failure:
        logger.warning("could not tell %s about an error: %s", where.user, failure.response.get("error"))


def register(app: AsyncApp) -> None:
    app.error(on_error)
