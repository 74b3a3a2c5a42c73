"""Slack side of reports and CSAT: `/report`, its charts and CSV as files, and the CSAT buttons.

Reports go to the person's DM with the app (figures are not for the whole channel); files use the
upload flow that replaced `files.upload`: files.getUploadURLExternal, the bytes, then
files.completeUploadExternal (slack_sdk's `files_upload_v2` makes those calls).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases.csat import SCORES
from bot.cases.desk import SupportDesk
from bot.models import CaseId
from bot.replies import Action, FormId, Reply
from handlers.slack import blocks
from handlers.slack.actions import action_pattern
from handlers.slack.context import People, Where, answer, open_form, where_of
from handlers.slack.failures import guarded

COMMAND = "/report"


async def send_with_files(client: AsyncWebClient, user_id: str, reply: Reply) -> str:
    """Post `reply` in the person's DM, then its attachments as files in the same conversation."""
    opened = await client.conversations_open(users=user_id)
    channel = str(opened["channel"]["id"])
    await client.chat_postMessage(channel=channel, **blocks.to_message(reply))
    if reply.attachments:
        await client.files_upload_v2(
            channel=channel,
            file_uploads=[
                {"content": a.data, "filename": a.name, "title": a.title} for a in reply.attachments
            ],
        )
    return channel


async def on_report_command(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, command["user_id"])
    reply = await desk.report(actor, command.get("text", ""))
    if reply.ephemeral:
        await answer(client, Where(command["user_id"], command.get("channel_id")), reply, private=True)
        return
    await send_with_files(client, command["user_id"], reply)


def _case(body: dict[str, Any]) -> CaseId:
    return CaseId(int(str(body["actions"][0].get("value", ""))))


async def on_csat_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    action = str(body["actions"][0]["action_id"]).split("#")[0]
    reply = await desk.answer_csat(actor, _case(body), SCORES[Action(action)])
    await answer(client, where_of(body), reply, private=True)


async def on_csat_comment_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    form = await desk.csat_form(actor, _case(body))
    await open_form(client, body["trigger_id"], form, where_of(body), lang=actor.language)


async def on_csat_comment_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    desk: SupportDesk,
    people: People,
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    case = CaseId(int(blocks.metadata(view).get("case", "0")))
    reply = await desk.submit_csat(actor, case, blocks.form_values(view))
    await answer(client, where_of(body), reply, private=True)


def register(app: AsyncApp) -> None:
    app.command(COMMAND)(guarded(on_report_command))
    for action in SCORES:
        app.action(action_pattern(action))(guarded(on_csat_button))
    app.action(action_pattern(Action.CSAT_COMMENT))(guarded(on_csat_comment_button, opens_form=True))
    app.view(FormId.CSAT_COMMENT.value)(guarded(on_csat_comment_submission))
