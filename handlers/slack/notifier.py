"""SlackNotifier: the desk's Notifier on Slack (post to a channel, a card's thread or a DM; update a card).

A posted message's MessageRef carries `{"channel", "ts"}` as data and `channel/ts` as key, so a thread
reply (`channel` + `thread_ts`) finds its case with `store.case_by_card(Platform.SLACK, key)`.
Slack errors become DeliveryError: rate limits, server errors and network trouble are retryable (the
job machinery tries again, after Retry-After for 429); anything else (channel_not_found, ...) is not.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.models import MessageRef, Platform
from bot.ports import ChannelTarget, DeliveryError, PersonTarget, Target, ThreadTarget
from bot.replies import Reply
from handlers.slack import blocks

RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


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
        return message_ref(str(response["channel"]), str(response["ts"]))

    async def update(self, ref: MessageRef, reply: Reply) -> None:
        channel, ts = location(ref)
        try:
            await self.client.chat_update(channel=channel, ts=ts, **blocks.to_message(reply))
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            raise delivery_error(error) from error
