"""TeamsNotifier: the desk's Notifier on Teams, sending proactively from stored conversation references.

A case card is a new post in the region's coordinators channel; its thread is the conversation
`<channel id>;messageid=<post id>`, which is also the MessageRef key incoming thread replies carry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters
from msrest.exceptions import ClientException, HttpOperationError

from bot.models import MessageRef, Platform
from bot.ports import ChannelTarget, DeliveryError, PersonTarget, Target, ThreadTarget
from bot.replies import Reply
from bot.storage.store import Store
from handlers.teams import conversations, keys
from handlers.teams.activities import message

logger = logging.getLogger(__name__)

THREAD = ";messageid="


def delivery_error(error: Exception) -> DeliveryError:
    """Connector failures as DeliveryError: 429, 5xx and network errors are worth retrying, the rest are not."""
    if isinstance(error, HttpOperationError) and error.response is not None:
        status = int(error.response.status_code)
        retry_after = error.response.headers.get("Retry-After") if error.response.headers else None
        after = float(retry_after) if retry_after and retry_after.isdigit() else None
        return DeliveryError(
            f"Bot Connector answered {status}: {error}",
            retryable=status == 429 or status >= 500,
            retry_after=after,
            code=f"http_{status}",
        )
    return DeliveryError(f"Bot Connector unreachable: {error}", retryable=True, code="unreachable")


def deep_link(channel: str, message_id: str, *, tenant: str | None) -> str:
    """A Teams link that opens a channel post (a case card) and its replies."""
    query = {"parentMessageId": message_id, **({"tenantId": tenant} if tenant else {})}
    return f"https://teams.microsoft.com/l/message/{quote(channel, safe='')}/{message_id}?{urlencode(query)}"


class TeamsNotifier:
    """Posts, replies in threads, updates cards and sends direct messages through the Bot Connector."""

    def __init__(
        self, *, adapter: BotAdapter, store: Store, app_id: str | None, clock: Callable[[], datetime]
    ) -> None:
        self._adapter = adapter
        self._store = store
        self._app_id = app_id or ""
        self._clock = clock

    async def _reference(self, key: str, *, missing: str) -> Any:
        data = await self._store.conversation(key)
        if data is None:
            logger.error("Teams: %s", missing)
            raise DeliveryError(missing, retryable=False, code="no_conversation")
        return conversations.load(data)

    async def _run(self, reference: Any, logic: Callable[[TurnContext], Awaitable[None]]) -> None:
        try:
            await self._adapter.continue_conversation(reference, logic, self._app_id)
        except (HttpOperationError, ClientException, OSError) as error:
            raise delivery_error(error) from error

    async def _send(self, reference: Any, activity: Activity) -> str:
        """Send as a new message in the reference's conversation (never as a reply to the continuation event)."""
        sent: list[str] = []

        async def logic(turn_context: TurnContext) -> None:
            addressed = TurnContext.apply_conversation_reference(activity, reference)
            addressed.reply_to_id = None
            connector = turn_context.turn_state[self._adapter.BOT_CONNECTOR_CLIENT_KEY]
            response = await connector.conversations.send_to_conversation(
                reference.conversation.id, addressed
            )
            sent.append(response.id if response and response.id else "")

        await self._run(reference, logic)
        return sent[0]

    async def post(self, target: Target, reply: Reply) -> MessageRef:
        if isinstance(target, ChannelTarget):
            return await self._post_in_channel(target.channel, reply)
        if isinstance(target, ThreadTarget):
            return await self._post_in_thread(target.ref, reply)
        return await self._direct(target, reply)

    async def _post_in_channel(self, channel: str, reply: Reply) -> MessageRef:
        reference = await self._reference(
            keys.channel_key(channel),
            missing=f"the bot has never seen Teams channel {channel}; add the app to that team",
        )
        activity_id = await self._send(reference, message(reply, alert=(channel, "channel")))
        thread = f"{channel}{THREAD}{activity_id}"
        data = {"reference": reference.serialize(), "activity_id": activity_id, "thread": thread}
        tenant = reference.conversation.tenant_id if reference.conversation else None
        return MessageRef(
            Platform.TEAMS,
            json.dumps(data, sort_keys=True),
            key=thread,
            link=deep_link(channel, activity_id, tenant=tenant),
        )

    async def _post_in_thread(self, ref: MessageRef, reply: Reply) -> MessageRef:
        data = json.loads(ref.data)
        base = conversations.load(json.dumps(data["reference"]))
        thread = data.get("thread") or base.conversation.id
        channel = thread.split(";")[0]
        reference = conversations.in_conversation(base, thread)
        activity_id = await self._send(reference, message(reply, alert=(channel, "channel")))
        sent = {"reference": reference.serialize(), "activity_id": activity_id, "thread": thread}
        return MessageRef(Platform.TEAMS, json.dumps(sent, sort_keys=True))

    async def find(self, target: ChannelTarget, marker: str) -> MessageRef | None:
        """The Bot Connector cannot read a channel's history (that needs Microsoft Graph): a card post
        interrupted by a crash is posted again on Teams."""
        return None

    async def update(self, ref: MessageRef, reply: Reply) -> None:
        data = json.loads(ref.data)
        base = conversations.load(json.dumps(data["reference"]))
        reference = conversations.in_conversation(base, data.get("thread") or base.conversation.id)
        activity = TurnContext.apply_conversation_reference(message(reply), reference)
        activity.id = data["activity_id"]

        async def logic(turn_context: TurnContext) -> None:
            connector = turn_context.turn_state[self._adapter.BOT_CONNECTOR_CLIENT_KEY]
            await connector.conversations.update_activity(reference.conversation.id, activity.id, activity)

        await self._run(reference, logic)

    async def _direct(self, target: PersonTarget, reply: Reply) -> MessageRef:
        data = await self._store.conversation(keys.user_key(target.user_id))
        if data is not None:
            reference = conversations.load(data)
            activity_id = await self._send(reference, message(reply))
            sent = {"reference": reference.serialize(), "activity_id": activity_id}
            return MessageRef(Platform.TEAMS, json.dumps(sent, sort_keys=True))
        return await self._create_chat(target.user_id, reply)

    async def _create_chat(self, user_id: str, reply: Reply) -> MessageRef:
        """Open a 1:1 chat with someone the bot has not talked to yet (the app must be installed for them)."""
        service_data = await self._store.conversation(keys.SERVICE_KEY)
        if service_data is None:
            raise DeliveryError(
                "the bot has never received a Teams activity; no service URL",
                retryable=False,
                code="no_service_url",
            )
        service = json.loads(service_data)
        bot = ChannelAccount().deserialize(service["bot"]) if service.get("bot") else None
        tenant = service.get("tenantId")
        parameters = ConversationParameters(
            is_group=False,
            bot=bot,
            members=[ChannelAccount(id=user_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        sent: list[tuple[str, str]] = []

        async def logic(turn_context: TurnContext) -> None:
            reference = TurnContext.get_conversation_reference(turn_context.activity)
            reference.activity_id = None
            reference.user = ChannelAccount(id=user_id)
            activity = TurnContext.apply_conversation_reference(message(reply), reference)
            connector = turn_context.turn_state[self._adapter.BOT_CONNECTOR_CLIENT_KEY]
            response = await connector.conversations.send_to_conversation(reference.conversation.id, activity)
            sent.append((conversations.dump(reference), response.id if response else ""))

        try:
            await self._adapter.create_conversation(
                self._app_id,
                logic,
                parameters,
                channel_id=service.get("channelId") or "msteams",
                service_url=service["serviceUrl"],
            )
        except (HttpOperationError, ClientException, OSError) as error:
            raise delivery_error(error) from error
        reference_json, activity_id = sent[0]
        await self._store.save_conversation(
            keys.user_key(user_id),
            platform=Platform.TEAMS,
            data=reference_json,
            now=self._clock(),
        )
        data = {"reference": json.loads(reference_json), "activity_id": activity_id}
        return MessageRef(Platform.TEAMS, json.dumps(data, sort_keys=True))
