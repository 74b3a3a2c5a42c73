"""SlackNotifier: the desk's Notifier on Slack (post to a channel, a card's thread or a DM; update a card).

A posted message's MessageRef carries `{"channel", "ts"}` as data and `channel/ts` as key, so a thread
reply (`channel` + `thread_ts`) finds its case with `store.case_by_card(Platform.SLACK, key)`.
Slack errors become DeliveryError: rate limits, server errors and network trouble are retryable (the
job machinery tries again, after Retry-After for 429); anything else (channel_not_found, ...) is not.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.models import MessageRef, Platform
from bot.ports import ChannelTarget, DeliveryError, PersonTarget, Target, ThreadTarget
from bot.replies import Reply
from handlers.slack import blocks

logger = logging.getLogger(__name__)

RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


HISTORY_PAGES = 10


def card_key(channel: str, ts: str) -> str:
    return f"{channel}/{ts}"


def message_ref(channel: str, ts: str) -> MessageRef:
    return MessageRef(Platform.SLACK, json.dumps({"channel": channel, "ts": ts}), key=card_key(channel, ts))


def location(ref: MessageRef) -> tuple[str, str]:
    data = json.loads(ref.data)
    return str(data["channel"]), str(data["ts"])


def delivery_error(error: Exception) -> DeliveryError:
    """Classify a failed Web API call for the job machinery."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        code = str(error.response.get("error", "unknown"))
        retry_after: float | None = None
        if status == 429:
            header = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
            retry_after = float(header[0] if isinstance(header, list) else header) if header else 1.0
        retryable = status == 429 or status >= 500 or code in RETRYABLE_ERRORS
        return DeliveryError(
            f"slack: {code} (HTTP {status})", retryable=retryable, retry_after=retry_after, code=code
        )
    return DeliveryError(f"slack: {type(error).__name__}: {error}", retryable=True, code="unreachable")


class SlackNotifier:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._dms: dict[str, str] = {}

    async def _dm(self, user_id: str) -> str:
        if user_id not in self._dms:
            opened = await self.client.conversations_open(users=user_id)
            self._dms[user_id] = str(opened["channel"]["id"])
        return self._dms[user_id]

    async def post(self, target: Target, reply: Reply) -> MessageRef:
        content: dict[str, Any] = blocks.to_message(reply)
        try:
            if isinstance(target, ThreadTarget):
                channel, ts = location(target.ref)
                content["thread_ts"] = ts
            elif isinstance(target, PersonTarget):
                channel = await self._dm(target.user_id)
            else:
                assert isinstance(target, ChannelTarget)
                channel = target.channel
            response = await self.client.chat_postMessage(channel=channel, **content)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            raise delivery_error(error) from error
        ref = message_ref(str(response["channel"]), str(response["ts"]))
        if isinstance(target, ChannelTarget):  # a case card: people get a link to its thread
            ref = replace(ref, link=await self._permalink(ref))
        return ref

    async def _permalink(self, ref: MessageRef) -> str:
        """The message's permalink, or "" when Slack will not say (the link is a convenience, not the post)."""
        channel, ts = location(ref)
        try:
            response = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            logger.warning("chat.getPermalink %s/%s failed: %s", channel, ts, error)
            return ""
        return str(response.get("permalink") or "")

    async def find(self, target: ChannelTarget, marker: str) -> MessageRef | None:
        """The message carrying `marker` in its metadata, from the channel's history newest first, at
        most HISTORY_PAGES pages of 200 (a card is looked for right after a restart: it is recent)."""
        cursor: str | None = None
        try:
            for _ in range(HISTORY_PAGES):
                response = await self.client.conversations_history(
                    channel=target.channel, include_all_metadata=True, limit=200, cursor=cursor
                )
                for message in response.get("messages") or []:
                    if blocks.marker_of(message) == marker:
                        return message_ref(target.channel, str(message["ts"]))
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    return None
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            raise delivery_error(error) from error
        return None

    async def update(self, ref: MessageRef, reply: Reply) -> None:
        channel, ts = location(ref)
        try:
            await self.client.chat_update(channel=channel, ts=ts, **blocks.to_message(reply))
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            raise delivery_error(error) from error
