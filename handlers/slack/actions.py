"""Buttons: one generic listener sends every `Action` on cards, answers, DMs and App Home through the
interactions table (bot/interactions.py) and renders its Outcome: a modal, a private reply, or the
clicked message changed in place. A new button needs no change here."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases.desk import SupportDesk
from bot.interactions import ACTIONS, CHANGES_STATE, OPENS_FORM, Next, Outcome, interact
from bot.models import Actor
from bot.replies import Action
from handlers.slack import blocks
from handlers.slack.context import People, answer, open_form, where_of
from handlers.slack.failures import guarded
from handlers.slack.notifier import card_key


def clicked_message(body: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, ts) of the message whose button was clicked, when it is an ordinary (editable) message."""
    container = body.get("container") or {}
    if container.get("type") != "message" or container.get("is_ephemeral"):
        return None
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return (str(channel), str(ts)) if channel and ts else None


async def show(outcome: Outcome, *, body: dict[str, Any], client: AsyncWebClient, actor: Actor) -> None:
    """Render an Outcome for the person who clicked."""
    message = clicked_message(body)
    if outcome.form is not None:
        origin = {"origin_channel": message[0], "origin_ts": message[1]} if message else {}
        await open_form(
            client, body["trigger_id"], outcome.form, where_of(body), lang=actor.language, extra=origin
        )
    if outcome.view is not None and message is not None and _replaces(outcome, message):
        await client.chat_update(channel=message[0], ts=message[1], **blocks.to_message(outcome.view))
    if outcome.reply is not None:
        await answer(client, where_of(body), outcome.reply, private=True)


def _replaces(outcome: Outcome, message: tuple[str, str]) -> bool:
    """The clicked message shows the outcome's view: an answer (vote, escalated), or a case shown in a DM.
    A case card in a coordinators' channel is updated for everyone by the worker, in the region's language."""
    if outcome.next is Next.MESSAGE:
        return True
    card = outcome.case.card if outcome.case else None
    is_card = card is not None and card.key == card_key(*message)
    return outcome.next is Next.CARD and message[0].startswith("D") and not is_card


async def on_action(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: SupportDesk, people: People
) -> None:
    await ack()
    clicked = body["actions"][0]
    action = Action(str(clicked["action_id"]).split("#")[0])
    actor = await people.actor(client, body["user"]["id"])
    outcome = await interact(desk, actor, action, str(clicked.get("value", "")))
    await show(outcome, body=body, client=client, actor=actor)


def action_pattern(actions: frozenset[Action] | set[Action]) -> re.Pattern[str]:
    """Matches these action ids and their repeats on one message (`kb.show_article#2`, see blocks.action_ids)."""
    names = "|".join(re.escape(a.value) for a in sorted(actions))
    return re.compile(rf"^(?:{names})(#\d+)?$")


def register(app: AsyncApp) -> None:
    """One listener for every action in the table, registered three ways: those that open a modal skip
    the pacing (a trigger id expires 3 s after the click); those that change something are recorded in
    the durable inbox before their ack; the rest only read."""
    app.action(action_pattern(OPENS_FORM))(guarded(on_action, opens_form=True))
    app.action(action_pattern(CHANGES_STATE - OPENS_FORM))(guarded(on_action, durable=True))
    app.action(action_pattern(set(ACTIONS) - OPENS_FORM - CHANGES_STATE))(guarded(on_action))
