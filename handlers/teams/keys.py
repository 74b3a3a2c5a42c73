"""Where Teams conversation references live in the store, and which coordinators channels the bot cannot reach.

No botbuilder here, so `supportbot config check` can ask without loading the SDK.
"""

from __future__ import annotations

from bot.config import Config
from bot.storage.store import Store

SERVICE_KEY = "teams:service"


def channel_key(channel_id: str) -> str:
    return f"teams:channel:{channel_id}"


def user_key(user_id: str) -> str:
    return f"teams:user:{user_id}"


async def unseen_channels(store: Store, config: Config) -> list[str]:
    """One line per region whose Teams coordinators channel the bot has never seen (so it cannot post there)."""
    problems = []
    for code, region in config.regions.items():
        channel = region.channels.teams
        if channel and await store.conversation(channel_key(channel)) is None:
            problems.append(
                f"regions.{code}.channels.teams: the bot has never seen Teams channel {channel}; "
                "add the app to that team, or @mention the bot once in that channel"
            )
    return problems
