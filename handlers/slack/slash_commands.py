"""Slash commands: /escalate [text] opens the escalation form, /cases shows the caller's queue,
/oncall shows or changes who is on duty. `/report` lives in reports.py with the rest of reports."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases.desk import SupportDesk
from bot.commands import OncallSyntaxError, parse_oncall, run_oncall
from bot.i18n import t
from bot.replies import Reply
from handlers.slack.context import People, Where, answer, mentioned, open_form
from handlers.slack.failures import guarded

COMMANDS = ("/escalate", "/cases", "/oncall", "/report")


async def on_escalate_command(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, command["user_id"])
    form = desk.escalation_form(actor, summary=command.get("text", "").strip())
    where = Where(command["user_id"], command.get("channel_id"))
    await open_form(client, command["trigger_id"], form, where, lang=actor.language)


async def on_cases_command(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, command["user_id"])
    reply = await desk.queue(actor)
    await answer(client, Where(command["user_id"], command.get("channel_id")), reply, private=True)


async def on_oncall_command(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, command["user_id"])
    text = command.get("text", "")
    mentions = tuple(people.person_id(u) for u in mentioned(text))
    try:
        parsed = parse_oncall(text, mentions=mentions, regions=desk.regions)
    except OncallSyntaxError:
        reply = Reply(text=t(actor.language, "oncall.usage"), ephemeral=True)
    else:
        reply = await run_oncall(parsed, desk=desk, actor=actor)
    await answer(client, Where(command["user_id"], command.get("channel_id")), reply, private=True)


def register(app: AsyncApp) -> None:
    app.command("/escalate")(guarded(on_escalate_command, opens_form=True))
    app.command("/cases")(guarded(on_cases_command))
    app.command("/oncall")(guarded(on_oncall_command))
