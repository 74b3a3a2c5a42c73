"""The adapter's on_turn_error: a BotError is told to the person who acted only; anything else is logged
and answered with a generic apology. Proactive turns re-raise, so the notifier sees its own failures;
otherwise it never raises (a failure to tell the person is a log line)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.schema import ActivityEventNames, ActivityTypes

from bot.cases.desk import SupportDesk
from bot.errors import BotError
from bot.i18n import describe, t
from bot.replies import Reply
from handlers.teams.activities import message_response
from handlers.teams.bot import SupportBot, actor_of
from handlers.teams.invokes import send_invoke_response

logger = logging.getLogger(__name__)

PROACTIVE = (ActivityEventNames.continue_conversation, ActivityEventNames.create_conversation)


def turn_error_handler(
    desk: SupportDesk, bot: SupportBot
) -> Callable[[TurnContext, Exception], Awaitable[None]]:
    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        activity = turn_context.activity
        if activity.type == ActivityTypes.event and activity.name in PROACTIVE:
            raise error
        try:
            actor = actor_of(desk, activity)
            if isinstance(error, BotError):
                logger.info("Teams: %s refused for %s: %s", activity.type, actor.id, error)
                text = describe(error, actor.language)
            else:
                logger.exception("Teams: %s activity failed", activity.type, exc_info=error)
                text = t(actor.language, "error.generic")
            if activity.type == ActivityTypes.invoke:
                await send_invoke_response(turn_context, message_response(text))
            elif activity.type in (ActivityTypes.message, ActivityTypes.message_reaction):
                await bot.send(turn_context, actor, Reply(text=text, ephemeral=True))
        except Exception as failure:  # the reporter of last resort never raises: one log line
            logger.warning(
                "Teams: could not tell the sender about an error: %s: %s", type(failure).__name__, failure
            )

    return on_turn_error
