"""The one place Slack listener errors are handled: a BotError is told to the person who acted
(ephemeral, in their language); anything else is logged and answered with a generic apology (a
refusal by the Web API as one line, since it is not a bug here; everything else with its traceback).

Listeners are registered through `guarded`, which hands a failure to `report` at the listener's
boundary instead of letting bolt's error handler see it: bolt 1.30 (listener/asyncio_runner.py)
clears an ack already given when the listener fails within the 10 ms the adapter polls for it, and
Slack would then get a 404 after 3 s and retry. `@app.error` (same `report`) covers middleware.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import BotError
from bot.i18n import describe, t
from bot.replies import Reply
from bot.timers.inbox import Inbox
from handlers.slack import durable as inbox_keys
from handlers.slack.context import People, answer, error_code, where_of
from handlers.slack.pacing import Pacer

logger = logging.getLogger(__name__)


async def on_error(error: Exception, body: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
    await report(error, body=body, client=client, people=context.get("people"))


async def report(
    error: Exception, *, body: dict[str, Any], client: AsyncWebClient, people: People | None
) -> None:
    """Log `error` and tell the person who acted. Never raises: it runs where nothing else would catch
    it (a listener's task), so whatever the body or Slack does, it ends in a log line."""
    if isinstance(error, SlackApiError):  # Slack refused a call (an expired trigger, a deleted message)
        logger.warning("slack listener: the Web API refused a call: %s", error_code(error))
    elif not isinstance(error, BotError):
        logger.exception("slack listener failed", exc_info=error)
    try:
        where = where_of(body) if isinstance(body, dict) else None
    except (KeyError, TypeError, AttributeError, ValueError):
        where = None
    if people is None or where is None or not where.user:
        return
    try:
        actor = await people.actor(client, where.user)
        text = (
            describe(error, actor.language)
            if isinstance(error, BotError)
            else t(actor.language, "error.generic")
        )
        await answer(client, where, Reply(text=text, ephemeral=True), private=True)
    except Exception as failure:  # the reporter of last resort: a failure to tell is a log line
        logger.warning("could not tell %s about an error: %s", where.user, error_code(failure))


Listener = Callable[..., Awaitable[None]]


def guarded(listener: Listener, *, opens_form: bool = False, durable: bool = False) -> Listener:
    """`listener` with its errors reported to the person who acted; it may take any of ack, body,
    client, context, desk, people, command, event and view.

    Its work after the ack is paced (see pacing.py), unless it `opens_form`: a modal must open within
    3 s of the click, so those listeners never wait behind other work. A `durable` listener's request
    is recorded in the inbox before the listener runs (so before its ack): a retry of it only gets its
    ack, and its work is done from the record, again after a crash (durable.py)."""
    wanted = set(inspect.signature(listener).parameters)

    async def run(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        inbox: Inbox | None = context.get("inbox")
        key = inbox_keys.interaction_key(body) if durable and inbox and not context.get("rerun") else None
        if inbox is None or key is None:
            await work(ack, body, client, context)
            return
        recorded = {"body": body, "bot_user_id": context.bot_user_id}
        receipt = await inbox.receive(key, kind=inbox_keys.PREFIX + listener.__name__, body=recorded)
        if receipt is None:  # Slack's retry of a request already recorded: its work is in hand
            await ack()
            return
        async with inbox.working(receipt):
            await work(ack, body, client, context)

    async def work(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        pacer: Pacer | None = context.get("pacer")
        paced = pacer.ack_then_wait(ack) if pacer and not opens_form else None
        available = {
            "ack": paced or ack,
            "body": body,
            "client": client,
            "context": context,
            "desk": context.get("desk"),
            "people": context.get("people"),
            "command": body,
            "event": body.get("event"),
            "view": body.get("view"),
        }
        try:
            await listener(**{name: available[name] for name in wanted})
        except Exception as error:
            if ack.response is None:
                with contextlib.suppress(Exception):  # the request may already be answered
                    await ack()
            await report(error, body=body, client=client, people=context.get("people"))
        finally:
            if paced:
                paced.release()

    run.__name__ = run.__qualname__ = listener.__name__
    run.__doc__ = listener.__doc__
    if durable:
        inbox_keys.REPLAYABLE[listener.__name__] = run
    return run


def register(app: AsyncApp) -> None:
    app.error(on_error)
