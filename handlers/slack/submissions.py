"""Modal submissions: escalate, resolve, reassign and note. A refused value is shown on its field
(`response_action: errors`); the modal closes when the desk accepted it.

Escalation is validated (pure) before the ack and written after it. The case forms make their
desk call before the ack: it is one quick database write, and only the ack can put its refusal on
the field; refusals that are not about a field (already resolved, not yours) close the modal and
reach the person as an ephemeral message through the error handler.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases import rules
from bot.cases.desk import SupportDesk
from bot.errors import BotError, InvalidInput
from bot.i18n import t
from bot.models import Actor, CaseId, MessageRef, Platform
from bot.replies import FormId, Reply
from handlers.slack import blocks
from handlers.slack.context import People, answer, where_of
from handlers.slack.failures import guarded
from handlers.slack.notifier import card_key


def field_errors(error: InvalidInput, view: dict[str, Any], lang: str) -> dict[str, str]:
    """{block_id: message} for Slack; a field the modal does not show is reported on its first input."""
    names = blocks.input_names(view)
    field = error.field if error.field in names else (names[0] if names else error.field)
    return {field: t(lang, error.reason_key, **error.params)}


async def on_escalate_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    desk: SupportDesk,
    people: People,
) -> None:
    actor = await people.actor(client, body["user"]["id"])
    values = blocks.form_values(view)
    try:
        rules.validate_new_case(
            values,
            regions=set(desk.regions),
            categories=set(desk.categories),
            lang=actor.language,
        )
    except InvalidInput as error:
        await ack(response_action="errors", errors=field_errors(error, view, actor.language))
        return
    await ack()
    data = blocks.metadata(view)
    source = None
    if data.get("source_channel") and data.get("source_ts"):
        channel, ts = data["source_channel"], data["source_ts"]
        raw = json.dumps({"channel": channel, "ts": ts, "permalink": data.get("permalink", "")})
        source = MessageRef(Platform.SLACK, raw, key=card_key(channel, ts))
    escalated = await desk.escalate(
        actor, values, client_key=f"slack-view:{view['id']}", source=source, context=data
    )
    if escalated.created:
        await answer(client, where_of(body), escalated.reply, private=True)


async def on_case_form_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    desk: SupportDesk,
    people: People,
) -> None:
    actor = await people.actor(client, body["user"]["id"])
    values = blocks.form_values(view)
    case_id = CaseId(int(blocks.metadata(view)["case"]))
    try:
        reply = await _apply(view["callback_id"], actor, case_id, values, desk=desk, people=people)
    except InvalidInput as error:
        await ack(response_action="errors", errors=field_errors(error, view, actor.language))
        return
    except BotError:
        await ack()
        raise
    await ack()
    if reply:
        await answer(client, where_of(body), reply, private=True)


async def _apply(
    form: str, actor: Actor, case_id: CaseId, values: dict[str, str], *, desk: SupportDesk, people: People
) -> Reply | None:
    if form == FormId.RESOLVE:
        await desk.resolve(actor, case_id, note=values.get("note", ""))
    elif form == FormId.REASSIGN:
        if not values.get("assignee"):
            raise InvalidInput("assignee", "invalid.mention_needed")
        await desk.reassign(actor, case_id, to=people.person_id(values["assignee"]))
    else:
        await desk.add_note(actor, case_id, note=values.get("note", ""))
        return Reply(text=t(actor.language, "note.saved"), ephemeral=True)
    return None


def register(app: AsyncApp) -> None:
    app.view(FormId.ESCALATE.value)(guarded(on_escalate_submission))
    for form in (FormId.RESOLVE, FormId.REASSIGN, FormId.NOTE):
        app.view(form.value)(guarded(on_case_form_submission))
