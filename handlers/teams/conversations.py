"""Teams conversation references: captured from every activity, stored as opaque JSON, read back for proactive sends.

Keys (keys.py): a reference into each channel the bot has seen (posts there start a new thread), the
personal chat with each user, and `teams:service`: where Teams activities come from (service URL, tenant,
bot account), enough to open a 1:1 chat with someone the bot has not talked to yet.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationAccount, ConversationReference

from bot.models import Platform
from bot.storage.store import Store
from handlers.teams.keys import SERVICE_KEY, channel_info_key, channel_key, user_key

logger = logging.getLogger(__name__)


def dump(reference: ConversationReference) -> str:
    return json.dumps(reference.serialize(), sort_keys=True)


def load(data: str) -> ConversationReference:
    reference: ConversationReference = ConversationReference().deserialize(json.loads(data))
    return reference


def channel_of(activity: Activity) -> str | None:
    """The Teams channel id an activity came from (without a thread's `;messageid=`), or None outside channels."""
    conversation = activity.conversation
    if conversation is None or conversation.conversation_type != "channel":
        return None
    channel = _id_in(activity.channel_data, "channel")
    return channel or str(conversation.id).split(";")[0]


def channel_info(activity: Activity) -> tuple[str, dict[str, str]] | None:
    """The channel an activity is from or about, with its name and type when Teams says them
    (`channelData.channel`, also on channel created / renamed events); None when it names no type."""
    data: dict[str, Any] = activity.channel_data or {}
    channel = data.get("channel") or {}
    if not isinstance(channel, dict) or not channel.get("id") or not channel.get("type"):
        return None
    return str(channel["id"]), {"type": str(channel["type"]), "name": str(channel.get("name") or "")}


def tenant_of(activity: Activity) -> str | None:
    tenant = _id_in(activity.channel_data, "tenant")
    conversation = activity.conversation
    return tenant or (conversation.tenant_id if conversation else None)


def _id_in(channel_data: Any, name: str) -> str | None:
    """`channelData[name].id` when the activity carries it as Teams does (objects all the way), else None."""
    part = channel_data.get(name) if isinstance(channel_data, dict) else None
    found = part.get("id") if isinstance(part, dict) else None
    return str(found) if isinstance(found, str | int) and found != "" else None


def in_conversation(reference: ConversationReference, conversation_id: str) -> ConversationReference:
    """A copy of `reference` pointing at another conversation id (a channel, or one thread of it)."""
    copy = load(dump(reference))
    account = copy.conversation or ConversationAccount()
    account.id = conversation_id
    copy.conversation = account
    copy.activity_id = None
    return copy


async def capture(turn_context: TurnContext, *, store: Store, now: datetime) -> None:
    """Remember how to reach this conversation (and its channel, and its user) later, proactively."""
    activity = turn_context.activity
    if activity.conversation is None or not activity.service_url:
        return
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None

    async def save(key: str, ref: ConversationReference) -> None:
        await store.save_conversation(key, platform=Platform.TEAMS, data=dump(ref), now=now)

    described = channel_info(activity)
    if described is not None:
        await store.save_conversation(
            channel_info_key(described[0]), platform=Platform.TEAMS, data=json.dumps(described[1]), now=now
        )
    channel = channel_of(activity)
    if channel is not None:
        await save(channel_key(channel), in_conversation(reference, channel))
    elif activity.conversation.conversation_type == "personal" and activity.from_property is not None:
        await save(user_key(activity.from_property.id), reference)
    service = {
        "serviceUrl": activity.service_url,
        "channelId": activity.channel_id,
        "tenantId": tenant_of(activity),
        "bot": reference.bot.serialize() if reference.bot else None,
    }
    await store.save_conversation(SERVICE_KEY, platform=Platform.TEAMS, data=json.dumps(service), now=now)
