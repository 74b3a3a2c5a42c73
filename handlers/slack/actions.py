"""Buttons: every `Action` on cards, answers and App Home routes to one desk call."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases.desk import SupportDesk
from bot.models import CaseId
from bot.replies import Action, Reply
from bot.thread_replies import confirm, dismiss
from bot.thread_undo import undo
from handlers.slack.context import People, answer, open_form, where_of
from handlers.slack.failures import Listener, guarded


def _value(body: dict[str, Any]) -> str:
    return str(body["actions"][0].get("value", ""))


def _case(body: dict[str, Any]) -> CaseId:
    return CaseId(int(_value(body)))


async def on_claim_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    await desk.claim(await people.actor(client, body["user"]["id"]), _case(body))


async def on_release_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    await desk.release(await people.actor(client, body["user"]["id"]), _case(body))


async def on_escalate_up_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    await desk.escalate_up(await people.actor(client, body["user"]["id"]), _case(body))


async def on_reopen_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    await desk.reopen(await people.actor(client, body["user"]["id"]), _case(body))


async def _case_form(
    body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People, name: str
) -> None:
    actor = await people.actor(client, body["user"]["id"])
    form = await desk.case_form(actor, _case(body), name)
    await open_form(client, body["trigger_id"], form, where_of(body), lang=actor.language)


async def on_resolve_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    await _case_form(body, client, desk, people, "resolve")


async def on_reassign_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    await _case_form(body, client, desk, people, "reassign")


async def on_note_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    await _case_form(body, client, desk, people, "note")


async def on_details_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    await answer(client, where_of(body), await desk.details(actor, _case(body)), private=True)


async def on_helpful_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    reply = await desk.feedback(actor, int(_value(body)), helpful=True)
    await answer(client, where_of(body), reply, private=True)


async def on_not_helpful_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    reply = await desk.feedback(actor, int(_value(body)), helpful=False)
    await answer(client, where_of(body), reply, private=True)


async def on_show_article_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    await answer(client, where_of(body), desk.article(actor, _value(body)), private=True)


async def on_escalate_question_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    form = await desk.question_escalation_form(actor, int(_value(body)))
    await open_form(client, body["trigger_id"], form, where_of(body), lang=actor.language)


async def on_confirm_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    """Confirm on the private confirmation of a thread command: carry it out (its writer only, once)."""
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    await answer(client, where_of(body), await confirm(desk, actor, _value(body)), private=True)


async def on_dismiss_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, people: People
) -> None:
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    await answer(client, where_of(body), dismiss(actor, _value(body)), private=True)


async def on_undo_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    """Undo on what a thread command just did (its doer only, within minutes, if nothing changed since)."""
    await ack()
    actor = await people.actor(client, body["user"]["id"])
    text = await undo(desk, actor, _value(body))
    await answer(client, where_of(body), Reply(text=text, ephemeral=True), private=True)


LISTENERS: dict[Action, Listener] = {
    Action.CLAIM: on_claim_button,
    Action.RELEASE: on_release_button,
    Action.RESOLVE: on_resolve_button,
    Action.REASSIGN: on_reassign_button,
    Action.ESCALATE_UP: on_escalate_up_button,
    Action.REOPEN: on_reopen_button,
    Action.NOTE: on_note_button,
    Action.DETAILS: on_details_button,
    Action.HELPFUL: on_helpful_button,
    Action.NOT_HELPFUL: on_not_helpful_button,
    Action.SHOW_ARTICLE: on_show_article_button,
    Action.ESCALATE_QUESTION: on_escalate_question_button,
    Action.CONFIRM: on_confirm_button,
    Action.DISMISS: on_dismiss_button,
    Action.UNDO: on_undo_button,
}


def action_pattern(action: Action) -> re.Pattern[str]:
    """Matches the action id and its repeats on one message (`kb.show_article#2`, see blocks.action_ids)."""
    return re.compile(rf"^{re.escape(action.value)}(#\d+)?$")


# Buttons whose listener opens a modal: their trigger id expires 3 s after the click.
OPENS_FORM = {Action.RESOLVE, Action.REASSIGN, Action.NOTE, Action.ESCALATE_QUESTION}


def register(app: AsyncApp) -> None:
    for action, listener in LISTENERS.items():
        app.action(action_pattern(action))(guarded(listener, opens_form=action in OPENS_FORM))
