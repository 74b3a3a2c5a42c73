"""What every Slack listener shares: who is acting (users.info with locale, cached), where to answer,
and sending a desk Reply or Form back to the person who acted."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cases.desk import SupportDesk
from bot.models import Actor, Identity, PersonId, Platform
from bot.replies import Form, Reply
from handlers.slack import blocks

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    locale: str | None
    timezone: str | None = None


class People:
    """Slack accounts -> desk Actors. Name and locale come from users.info (include_locale), cached."""

    def __init__(self, desk: SupportDesk, *, ttl: float = 3600.0, max_size: int = 10_000) -> None:
        self.desk = desk
        self.ttl = ttl
        self.max_size = max_size
        self._cache: dict[str, tuple[float, Profile]] = {}

    async def profile(self, client: AsyncWebClient, user_id: str) -> Profile:
        cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        try:
            response = await client.users_info(user=user_id, include_locale=True)
            user = response.get("user")
        except (SlackApiError, aiohttp.ClientError, TimeoutError, ValueError) as error:
            # Any failure (an error code, a non-JSON body, no network) leaves the person as configured.
            logger.warning("users.info %s failed: %s", user_id, error_code(error))
            return Profile(user_id, None)
        if not isinstance(user, dict):
            user = {}
        profile_data = user.get("profile")
        name = next(
            (
                value
                for value in (
                    user.get("real_name"),
                    profile_data.get("real_name") if isinstance(profile_data, dict) else None,
                    user.get("name"),
                )
                if isinstance(value, str) and value.strip()
            ),
            user_id,
        )
        locale, zone = user.get("locale"), user.get("tz")
        profile = Profile(
            name, locale if isinstance(locale, str) else None, zone if isinstance(zone, str) else None
        )
        if len(self._cache) >= self.max_size:
            self._cache.clear()
        self._cache[user_id] = (time.monotonic(), profile)
        return profile

    async def actor(self, client: AsyncWebClient, user_id: str) -> Actor:
        profile = await self.profile(client, user_id)
        identity = Identity(Platform.SLACK, user_id)
        return self.desk.actor(identity, name=profile.name, locale=profile.locale, timezone=profile.timezone)

    def person_id(self, user_id: str) -> PersonId:
        return self.desk.actor(Identity(Platform.SLACK, user_id)).id


def error_code(error: BaseException) -> str:
    """A short description of a failed Web API call that never raises, whatever the response was
    (slack_sdk puts an aiohttp response, not a SlackResponse, on errors about a non-JSON body)."""
    data = getattr(getattr(error, "response", None), "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    return str(code) if code else f"{type(error).__name__}: {str(error)[:200]}"


def mentioned(text: str, *, skip: str | None = None) -> list[str]:
    """Slack user ids mentioned in `text` (`<@U123>`), in order, without `skip` (the bot)."""
    return [u for u in dict.fromkeys(_MENTION.findall(text or "")) if u != skip]


def command_text(text: str, *, bot_user: str | None) -> tuple[str, list[str], bool]:
    """A thread reply for the command grammar: the bot's mention removed, every other mention as an
    `@U123` word; the others' ids in order; and whether the bot was mentioned."""
    others: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(1) == bot_user:
            return " "
        others.append(match.group(1))
        return f"@{match.group(1)}"

    plain = _MENTION.sub(replace, text or "")
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")  # Slack escapes these three
    addressed = bool(bot_user) and f"<@{bot_user}" in (text or "")
    return plain.strip(), others, addressed


def without_mentions(text: str) -> str:
    return " ".join(_MENTION.sub(" ", text or "").split())


@dataclass(frozen=True, slots=True)
class Where:
    """Where to answer the person who acted: a channel (and thread), or their DM when channel is None."""

    user: str
    channel: str | None = None
    thread_ts: str | None = None


def where_of(body: dict[str, Any]) -> Where:
    """Where a request came from: a slash command, an interaction, a view (its metadata) or an event."""
    if "command" in body:
        return Where(body["user_id"], body.get("channel_id"))
    event = body.get("event")
    if isinstance(event, dict):
        item = event.get("item") or {}
        channel = event.get("channel") or item.get("channel")
        thread = event.get("thread_ts") or (event.get("ts") if event.get("type") == "app_mention" else None)
        if event.get("type") == "reaction_added":
            thread = item.get("ts")
        return Where(str(event.get("user", "")), channel, thread)
    user = str((body.get("user") or {}).get("id", ""))
    if body.get("view") and body.get("type") == "view_submission":
        data = blocks.metadata(body["view"])
        return Where(user, data.get("channel") or None, data.get("thread_ts") or None)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    message = body.get("message") or {}
    return Where(user, channel, message.get("thread_ts") or (body.get("container") or {}).get("thread_ts"))


async def answer(client: AsyncWebClient, where: Where, reply: Reply, *, private: bool | None = None) -> None:
    """Send `reply` to the person who acted: ephemeral in a channel, a message in their DM, or in the
    channel (thread) for everyone when the reply is not private."""
    content = blocks.to_message(reply)
    private = reply.ephemeral if private is None else private
    channel = where.channel
    if channel is None or (private and channel.startswith("D")):
        if channel is None:
            opened = await client.conversations_open(users=where.user)
            channel = str(opened["channel"]["id"])
        await client.chat_postMessage(channel=channel, thread_ts=where.thread_ts, **content)
    elif private:
        await client.chat_postEphemeral(
            channel=channel, user=where.user, thread_ts=where.thread_ts, **content
        )
    else:
        await client.chat_postMessage(channel=channel, thread_ts=where.thread_ts, **content)


async def open_form(
    client: AsyncWebClient,
    trigger_id: str,
    form: Form,
    where: Where,
    *,
    lang: str,
    extra: dict[str, str] | None = None,
) -> None:
    """Open `form` as a modal; where to answer afterwards rides in its private metadata."""
    data = {"channel": where.channel or "", "thread_ts": where.thread_ts or "", "lang": lang, **(extra or {})}
    await client.views_open(trigger_id=trigger_id, view=blocks.to_modal(form, metadata=data))
