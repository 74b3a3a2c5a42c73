"""The message shortcut "Escalate this message": the escalation form pre-filled with the message's
text and a permalink to it; the case keeps the message as its source."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases.desk import SupportDesk
from handlers.slack.context import People, Where, open_form, without_mentions
from handlers.slack.failures import guarded

ESCALATE_MESSAGE = "escalate_message"
SHORTCUTS = (ESCALATE_MESSAGE,)


async def on_escalate_message_shortcut(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    user, channel = body["user"]["id"], body["channel"]["id"]
    message = body.get("message") or {}
    ts = str(body.get("message_ts") or message.get("ts"))
    actor = await people.actor(client, user)
    try:
        link = str((await client.chat_getPermalink(channel=channel, message_ts=ts))["permalink"])
    except SlackApiError:
        link = ""
    text = without_mentions(str(message.get("text") or ""))
    details = f"{text}\n\n{link}".strip()
    form = desk.escalation_form(actor, summary=text.split("\n")[0], details=details)
    extra = {"source_channel": channel, "source_ts": ts, "permalink": link}
    await open_form(client, body["trigger_id"], form, Where(user, channel), lang=actor.language, extra=extra)


def register(app: AsyncApp) -> None:
    app.shortcut(ESCALATE_MESSAGE)(guarded(on_escalate_message_shortcut, opens_form=True))
