"""Events: questions (DMs, @mentions, follow-ups in a thread the bot answered), replies in a case's
thread (commands, confirmed first when destructive, or questions to the bot: bot.thread_replies),
:eyes: on a card to claim, and the App Home tab.

Slack retries an event it thinks was not received; each event id is handled once, across
instances (`first_delivery`, checked right after the ack).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases.desk import SupportDesk
from bot.models import Platform
from bot.thread_replies import on_thread_reply
from handlers.slack import blocks
from handlers.slack.context import People, Where, answer, command_text, without_mentions
from handlers.slack.failures import guarded
from handlers.slack.notifier import card_key

CLAIM_REACTIONS = ("eyes",)
DONE_REACTION = "white_check_mark"  # the bot's mark on a thread command it carried out
EVENTS = ("app_mention", "message", "reaction_added", "app_home_opened")


async def first_delivery(body: dict[str, Any], desk: SupportDesk) -> bool:
    """False when Slack already delivered this event (a retry): handled once, across instances.
    Checked after the ack, so the database write is never on the ack's path."""
    event_id = body.get("event_id")
    return not event_id or await desk.first_delivery(f"slack:{event_id}")


def _answered_key(channel: str, thread_ts: str) -> str:
    return f"slack-answered:{card_key(channel, thread_ts)}"


async def _on_text(
    event: dict[str, Any], *, client: AsyncWebClient, desk: SupportDesk, people: People, bot_user: str | None
) -> None:
    """One piece of text from a person: a command in a case thread, or a policy question."""
    user, channel, text = str(event["user"]), str(event["channel"]), str(event.get("text") or "")
    thread_ts = event.get("thread_ts")
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    actor = await people.actor(client, user)
    if thread_ts and not is_dm:
        case = await desk.case_by_card(Platform.SLACK, card_key(channel, thread_ts))
        if case is not None:
            plain, others, addressed = command_text(text, bot_user=bot_user)
            outcome = await on_thread_reply(
                desk,
                actor,
                case.id,
                plain,
                mentions=tuple(people.person_id(u) for u in others),
                addressed=addressed,
            )
            where = Where(user, channel, thread_ts)
            if outcome.acted:
                await client.reactions_add(channel=channel, timestamp=str(event["ts"]), name=DONE_REACTION)
            if outcome.private:
                await answer(client, where, outcome.private, private=True)
            if outcome.public:
                await answer(client, where, outcome.public, private=False)
            return
    question = without_mentions(text)
    if not question:
        return
    reply = await desk.ask(actor, question)
    reply_thread = thread_ts or (None if is_dm else str(event["ts"]))
    await answer(client, Where(user, channel, reply_thread), reply, private=False)
    if reply_thread and not is_dm:
        key = _answered_key(channel, reply_thread)
        await desk.remember_thread(Platform.SLACK, key)


async def on_app_mention(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    desk: SupportDesk,
    people: People,
) -> None:
    await ack()
    if not await first_delivery(body, desk):
        return
    await _on_text(event, client=client, desk=desk, people=people, bot_user=context.bot_user_id)


async def on_message(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    desk: SupportDesk,
    people: People,
) -> None:
    """DMs are questions; in channels only thread replies matter (mentions arrive as app_mention)."""
    await ack()
    if not await first_delivery(body, desk):
        return
    if event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return
    text = str(event.get("text") or "")
    is_dm = event.get("channel_type") == "im"
    if not is_dm:
        if context.bot_user_id and f"<@{context.bot_user_id}" in text:
            return  # the app_mention event handles it
        thread_ts = event.get("thread_ts")
        if not thread_ts:
            return
        channel = str(event["channel"])
        in_case = await desk.case_by_card(Platform.SLACK, card_key(channel, thread_ts)) is not None
        if not in_case and not await desk.is_remembered_thread(_answered_key(channel, thread_ts)):
            return
    await _on_text(event, client=client, desk=desk, people=people, bot_user=context.bot_user_id)


async def on_reaction_added(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    desk: SupportDesk,
    people: People,
) -> None:
    """:eyes: on a case card claims it."""
    await ack()
    if not await first_delivery(body, desk):
        return
    item = event.get("item") or {}
    if event.get("reaction") not in CLAIM_REACTIONS or item.get("type") != "message":
        return
    case = await desk.case_by_card(Platform.SLACK, card_key(str(item["channel"]), str(item["ts"])))
    if case is None:
        return
    await desk.claim(await people.actor(client, str(event["user"])), case.id)


async def on_app_home_opened(
    ack: AsyncAck,
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    desk: SupportDesk,
    people: People,
) -> None:
    """The Home tab: the person's queue, and for coordinators who is on duty."""
    await ack()
    if not await first_delivery(body, desk):
        return
    if event.get("tab", "home") != "home":
        return
    actor = await people.actor(client, str(event["user"]))
    reply = await desk.queue(actor)
    view = blocks.to_home(reply)
    supervisor = await desk.supervisor_home(actor)
    if supervisor is not None:
        view["blocks"] = [*blocks.to_blocks(supervisor), {"type": "divider"}, *view["blocks"]]
    await client.views_publish(user_id=str(event["user"]), view=view)


def register(app: AsyncApp) -> None:
    app.event("app_mention")(guarded(on_app_mention))
    app.event("message")(guarded(on_message))
    app.event("reaction_added")(guarded(on_reaction_added))
    app.event("app_home_opened")(guarded(on_app_home_opened))
