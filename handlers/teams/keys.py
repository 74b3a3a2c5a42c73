"""Where Teams conversation references live in the store, and which coordinators channels the bot cannot reach
(never seen, or private: the app declares no private-channel support, so Teams never lets it post there).

No botbuilder here, so `supportbot config check` can ask without loading the SDK.
"""

from __future__ import annotations

import json

from bot.config import Config
from bot.storage.store import Store

SERVICE_KEY = "teams:service"


def channel_key(channel_id: str) -> str:
    return f"teams:channel:{channel_id}"


def user_key(user_id: str) -> str:
    return f"teams:user:{user_id}"


def channel_info_key(channel_id: str) -> str:
    """What Teams told about a channel (`channelData.channel`: its name and type), when it did."""
    return f"teams:channel-info:{channel_id}"


# Channel types (`channelData.channel.type`) the bot cannot post in: Teams adds an app to a team's
# standard channels; private channels get apps only when the manifest declares support for them.
UNUSABLE_TYPES = frozenset({"private"})


async def channel_type(store: Store, channel_id: str) -> str | None:
    """The channel's type as Teams last reported it ("standard", "private", "shared"), or None if never."""
    raw = await store.conversation(channel_info_key(channel_id))
    kind = json.loads(raw).get("type") if raw else None
    return str(kind).lower() if kind else None


async def unseen_channels(store: Store, config: Config) -> list[str]:
    """One line per region whose Teams coordinators channel the bot cannot post in: a private channel
    (as Teams reported it in an activity from that channel or about it), or one it has never seen."""
    problems = []
    for code, region in config.regions.items():
        channel = region.channels.teams
        if not channel:
            continue
        kind = await channel_type(store, channel)
        if kind in UNUSABLE_TYPES:
            problems.append(
                f"regions.{code}.channels.teams: Teams channel {channel} is a {kind} channel, where the bot "
                "cannot post cards; use a standard channel of the team for the coordinators"
            )
        elif await store.conversation(channel_key(channel)) is None:
            problems.append(
                f"regions.{code}.channels.teams: the bot has never seen Teams channel {channel}; "
                "add the app to that team, or @mention the bot once in that channel"
            )
    return problems
