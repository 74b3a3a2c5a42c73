"""Modal submissions: escalate, resolve, reassign and note. A refused value is shown on its field
(`response_action: errors`); the modal closes when the desk accepted it.

Escalation is validated (pure) and recorded in the inbox before the ack, and written after it from
that record (again after a crash: see durable.py). The case forms make their
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
from bot.interactions import FORMS, submit
from bot.models import MessageRef, Platform
from bot.replies import FormId
from handlers.slack import blocks
from handlers.slack.context import People, answer, where_of
from handlers.slack.failures import guarded
from handlers.slack.notifier import card_key, message_ref


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
    question = int(data["question"]) if data.get("question", "").isdigit() else None
    if question is not None and data.get("origin_channel") and data.get("origin_ts"):
        source = message_ref(data["origin_channel"], data["origin_ts"])  # the answer: it shows the case
    elif data.get("source_channel") and data.get("source_ts"):
        channel, ts = data["source_channel"], data["source_ts"]
        raw = json.dumps({"channel": channel, "ts": ts, "permalink": data.get("permalink", "")})
        source = MessageRef(Platform.SLACK, raw, key=card_key(channel, ts))
    escalated = await desk.escalate(
        actor, values, client_key=f"slack-view:{view['id']}", source=source, question=question, context=data
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
    """Every case form through the interactions table; a refused value is shown on its field."""
    actor = await people.actor(client, body["user"]["id"])
    try:
        outcome = await submit(
            desk, actor, FormId(view["callback_id"]), blocks.metadata(view), blocks.form_values(view)
        )
    except InvalidInput as error:
        await ack(response_action="errors", errors=field_errors(error, view, actor.language))
        return
    except BotError:
        await ack()
        raise
    await ack()
    if outcome.reply:
        await answer(client, where_of(body), outcome.reply, private=True)


def register(app: AsyncApp) -> None:
    app.view(FormId.ESCALATE.value)(guarded(on_escalate_submission, durable=True))
    for form in FORMS:
        app.view(form.value)(guarded(on_case_form_submission))
