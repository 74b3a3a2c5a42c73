"""SupportBot: Teams activities -> desk calls. Messages (questions, escalate, cases, oncall, thread commands),
Universal Actions invokes (card buttons and form submits), and conversation references from every activity."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    Attachment,
    MessageReaction,
)

from bot.cases.desk import SupportDesk
from bot.commands import OncallSyntaxError, parse_oncall, run_oncall
from bot.dm import route_dm
from bot.i18n import t
from bot.knowledge import fold
from bot.models import Actor, Identity, PersonId, Platform
from bot.ports import DeliveryError, Notifier, PersonTarget
from bot.replies import Reply
from bot.storage.store import Store
from bot.thread_replies import on_thread_reply
from bot.timers.inbox import Inbox
from handlers.teams import cards, conversations
from handlers.teams.activities import card_message, entity_data, message
from handlers.teams.conversations import channel_of
from handlers.teams.invokes import Invokes

logger = logging.getLogger(__name__)

_AT = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def timezone_of(activity: Activity) -> str | None:
    """The sender's zone as Teams reports it: `localTimezone`, or the clientInfo entity's `timezone`."""
    if activity.local_timezone:
        return str(activity.local_timezone)
    for entity in activity.entities or []:
        data = entity_data(entity)
        if str(data.get("type", "")).lower() == "clientinfo" and data.get("timezone"):
            return str(data["timezone"])
    return None


def actor_of(desk: SupportDesk, activity: Activity) -> Actor:
    sender = activity.from_property
    user_id = sender.id if sender is not None else "unknown"
    name = sender.name if sender is not None else None
    return desk.actor(
        Identity(Platform.TEAMS, user_id), name=name, locale=activity.locale, timezone=timezone_of(activity)
    )


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    return conversation is None or conversation.conversation_type in (None, "personal")


def read_text(activity: Activity) -> tuple[str, tuple[str, ...], bool]:
    """The message as plain text without the bot's mention, the other accounts mentioned, and whether the bot was.

    Other mentions stay in the text as `@Name`; Teams may send simple HTML, which is reduced to text.
    """
    bot_id = activity.recipient.id if activity.recipient else None
    text = activity.text or ""
    mentioned: list[str] = []
    bot_mentioned = False
    for entity in activity.entities or []:
        data = entity_data(entity)
        if str(data.get("type", "")).lower() != "mention":
            continue
        who = data.get("mentioned") or {}
        tag = str(data.get("text") or "")
        if who.get("id") == bot_id:
            bot_mentioned = True
            text = text.replace(tag, " ") if tag else text
        elif who.get("id"):
            mentioned.append(str(who["id"]))
    text = _AT.sub(lambda m: "@" + m.group(1), text)
    text = html.unescape(_TAG.sub(" ", text))
    return " ".join(text.split()), tuple(dict.fromkeys(mentioned)), bot_mentioned


def without_mentions(activity: Activity) -> str:
    """The message as plain text with every mention removed (names may have spaces, so "@Jan Kowalski"
    would leave a stray word in a command like "oncall swap @Jan Kowalski")."""
    text = html.unescape(_TAG.sub(" ", _AT.sub(" ", activity.text or "")))
    return " ".join(text.split())


def command_text(activity: Activity) -> tuple[str, tuple[str, ...], bool]:
    """A thread reply for the command grammar: the bot's mention removed, every other mention as one
    `@Tom_Baker` word (the grammar reads a mention as one word), the accounts mentioned in that order,
    and whether the bot was mentioned."""
    bot_id = activity.recipient.id if activity.recipient else None
    text = activity.text or ""
    accounts: list[str] = []
    bot_mentioned = False
    for entity in activity.entities or []:
        data = entity_data(entity)
        who = data.get("mentioned") or {}
        tag = str(data.get("text") or "")
        if str(data.get("type", "")).lower() != "mention" or not who.get("id") or not tag:
            continue
        if who.get("id") == bot_id:
            bot_mentioned = True
            text = text.replace(tag, " ")
        else:
            accounts.append(str(who["id"]))
            name = "_".join(str(who.get("name") or f"p{len(accounts)}").split())
            text = text.replace(tag, f" @{name} ", 1)
    text = html.unescape(_TAG.sub(" ", _AT.sub(" ", text)))
    return re.sub(r"[ \t]+", " ", text).strip(), tuple(accounts), bot_mentioned


def thread_key(activity: Activity) -> str | None:
    """The channel thread a message is in (`<channel>;messageid=<root post>`), as the notifier keyed the card."""
    conversation_id = activity.conversation.id if activity.conversation else ""
    return conversation_id if ";messageid=" in (conversation_id or "") else None


# Activities acted on once: Teams may deliver one again after a timeout.
ONCE = (ActivityTypes.message, ActivityTypes.invoke, ActivityTypes.message_reaction)
# Reactions that claim a case card, like Slack's :eyes:. Teams sends the six classic reactions by name
# ("like", "heart", ...) and every other emoji as `<codepoint>_<name>`; 👀 is "1f440_eyes". 👍 ("like")
# is left out on purpose: it often only means "seen".
CLAIM_REACTIONS = frozenset({"1f440_eyes", "eyes"})


def reacted_card(activity: Activity) -> str | None:
    """The card key (`<channel>;messageid=<post>`) of the channel post a reaction is on, when that post
    is a thread's first message (where the bot posts case cards); None for replies and other places."""
    conversation = activity.conversation.id if activity.conversation else ""
    post = activity.reply_to_id
    if not conversation or not post or channel_of(activity) is None:
        return None
    channel, _, root = conversation.partition(";messageid=")
    if root and root != post:
        return None  # a reaction on a reply inside the thread, not on the card
    return f"{channel};messageid={post}"


class SupportBot(TeamsActivityHandler):  # type: ignore[misc]
    """One bot for personal chats, group chats and channels; `notifier` delivers replies meant for one person."""

    def __init__(
        self,
        desk: SupportDesk,
        *,
        store: Store,
        notifier: Notifier | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.store = store  # where conversation references are kept (opaque to the desk)
        self.notifier = notifier
        self.inbox = inbox
        self.invokes = Invokes(desk)

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Messages and invokes are recorded in the inbox (keyed by conversation and activity id) before
        their work; Teams gets its answer only after the work, so a redelivery finds the record: done
        or in hand, it is answered without acting twice; left unfinished by a process that died, it is
        worked again."""
        activity = turn_context.activity
        now = self.desk.clock()
        await conversations.capture(turn_context, store=self.store, now=now)
        if activity.type not in ONCE or not activity.id:
            await super().on_turn(turn_context)
            return
        conversation = activity.conversation.id if activity.conversation else ""
        key = f"teams:{conversation}:{activity.id}"
        inbox = self.inbox
        if inbox is not None:
            receipt = await inbox.receive(key, kind="teams:activity", body={"type": activity.type})
            if receipt is not None:
                async with inbox.working(receipt):
                    await super().on_turn(turn_context)
                return
        elif await self.desk.first_delivery(key):
            await super().on_turn(turn_context)
            return
        logger.info("Teams: activity %s delivered again; handled once already", activity.id)
        if activity.type == ActivityTypes.invoke:
            await self.invokes.answer_again(turn_context)

    async def on_teams_members_added_dispatch(
        self, members_added: list[Any], team_info: Any, turn_context: TurnContext
    ) -> None:
        """Nothing to do per added member (the conversation was captured in on_turn). botbuilder's own
        dispatch would ask the Connector about each member, and fail the turn when it cannot."""
        return

    def _create_adaptive_card_invoke_error_response(
        self, status_code: HTTPStatus, code: str, message: str
    ) -> AdaptiveCardInvokeResponse:
        """botbuilder's own puts an Exception in `value`, which cannot be serialised (a 500 instead of
        the invoke error response): the same response with an Error object Teams understands."""
        return AdaptiveCardInvokeResponse(
            status_code=status_code,
            type="application/vnd.microsoft.error",
            value={"code": code, "message": message},
        )

    # --- messages -----------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A message. Replies in a case card's thread are read whether or not they @mention the bot (with
        the app's ChannelMessage.Read.Group consent Teams delivers them all); elsewhere in channels and
        group chats the bot answers only when @mentioned."""
        activity = turn_context.activity
        actor = actor_of(self.desk, activity)
        if await self._thread_reply(turn_context, actor):
            return
        text, accounts, bot_mentioned = read_text(activity)
        if not is_personal(activity) and not bot_mentioned:
            return  # in channels and group chats the bot answers only when @mentioned
        people = tuple(self.desk.actor(Identity(Platform.TEAMS, a)).id for a in accounts)
        word, _, rest = text.partition(" ")
        command = fold(word).strip("/")
        if command == "escalate":
            form = self.desk.escalation_form(actor, summary=rest.strip())
            await turn_context.send_activity(card_message(cards.form_card(form)))
        elif command == "cases":
            await self.send(turn_context, actor, await self.desk.queue(actor))
        elif command == "oncall":
            _, _, words = without_mentions(activity).partition(" ")
            await self.send(turn_context, actor, await self._oncall(actor, words, people))
        elif command == "report":
            await self._report(turn_context, actor, rest)
        elif command == "help" or not text:
            await self.send(turn_context, actor, Reply(text=t(actor.language, "help.text_teams")))
        elif is_personal(activity):
            await self.send(turn_context, actor, await route_dm(self.desk, actor, text))
        else:
            await self.send(turn_context, actor, await self.desk.ask(actor, text))

    async def _thread_reply(self, turn_context: TurnContext, actor: Actor) -> bool:
        """A reply in a case card's thread (a command, a question to the bot, or talk); False elsewhere."""
        key = thread_key(turn_context.activity)
        case = await self.desk.case_by_card(Platform.TEAMS, key) if key else None
        if case is None:
            return False
        text, accounts, addressed = command_text(turn_context.activity)
        people = tuple(self.desk.actor(Identity(Platform.TEAMS, a)).id for a in accounts)
        outcome = await on_thread_reply(self.desk, actor, case.id, text, mentions=people, addressed=addressed)
        if outcome.private is not None:
            await self.send(turn_context, actor, outcome.private)
        if outcome.public is not None:
            await turn_context.send_activity(message(outcome.public))
        return True

    async def _oncall(self, actor: Actor, text: str, people: tuple[PersonId, ...]) -> Reply:
        words = " ".join(w for w in text.split() if not w.startswith("@"))
        try:
            command = parse_oncall(words, mentions=people, regions=self.desk.regions)
        except OncallSyntaxError:
            return Reply(text=t(actor.language, "oncall.usage"), ephemeral=True)
        return await run_oncall(command, desk=self.desk, actor=actor)

    async def _report(self, turn_context: TurnContext, actor: Actor, text: str) -> None:
        """The summary card, then each chart as its own card (a Teams message holds about 28 KB), and
        a CSV export as file attachments."""
        reply = await self.desk.report(actor, text)
        await self.send(turn_context, actor, replace(reply, attachments=()))
        for item in reply.attachments:
            if item.is_image:
                await turn_context.send_activity(card_message(cards.reply_card(Reply(attachments=(item,)))))
            else:
                file = Attachment(content_type=item.mime, content_url=cards.data_uri(item), name=item.name)
                await turn_context.send_activity(Activity(type=ActivityTypes.message, attachments=[file]))

    async def send(self, turn_context: TurnContext, actor: Actor, reply: Reply) -> None:
        """Answer in the conversation; a reply meant only for the actor goes to their 1:1 chat outside it."""
        if reply.ephemeral and not is_personal(turn_context.activity) and self.notifier is not None:
            try:
                await self.notifier.post(PersonTarget(Platform.TEAMS, actor.identity.user_id), reply)
                return
            except DeliveryError as error:
                logger.warning(
                    "Teams: could not message %s privately (%s); answering in place", actor.id, error
                )
        await turn_context.send_activity(message(reply))

    # --- reactions ----------------------------------------------------------------------------------

    async def on_reactions_added(
        self, message_reactions: list[MessageReaction], turn_context: TurnContext
    ) -> None:
        """👀 on a case card claims it, as on Slack; a refusal (already claimed, not a coordinator) is
        told to the person privately by the turn error handler."""
        if not any(str(r.type or "").lower() in CLAIM_REACTIONS for r in message_reactions):
            return
        key = reacted_card(turn_context.activity)
        case = await self.desk.case_by_card(Platform.TEAMS, key) if key else None
        if case is None:
            return
        await self.desk.claim(actor_of(self.desk, turn_context.activity), case.id)

    # --- card actions ---------------------------------------------------------------------------

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        action: dict[str, Any] = invoke_value.action or {}
        actor = actor_of(self.desk, turn_context.activity)
        return await self.invokes.run(
            turn_context,
            actor,
            verb=str(action.get("verb") or ""),
            data=dict(action.get("data") or {}),
        )
