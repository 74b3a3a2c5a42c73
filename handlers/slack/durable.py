"""Slack interactions in the durable inbox: the key of each (Slack's own ids), and their rerun.

A listener registered with `guarded(..., durable=True)` records its request in the inbox before it
acks (see failures.py); after a crash, `replayer` runs the same listener again on the recorded body,
with an ack that does nothing (Slack had its ack long ago).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.storage.receipts import Receipt

PREFIX = "slack:"

Listener = Callable[..., Awaitable[None]]

# Durable listeners by name, as `guarded` wrapped them (the same wrapper serves every app).
REPLAYABLE: dict[str, Listener] = {}


def interaction_key(body: dict[str, Any]) -> str | None:
    """Slack's own id of an interaction: the event id; user, action ts and action id of a click; the
    view id and the values of a submission (a corrected resubmission of the same modal is new); the
    trigger id of a slash command. None when the body carries none of them."""
    if body.get("type") == "event_callback":
        return f"slack:event:{body['event_id']}" if body.get("event_id") and _may_matter(body) else None
    user = str((body.get("user") or {}).get("id") or body.get("user_id") or "")
    if body.get("type") == "block_actions" and body.get("actions"):
        action = body["actions"][0]
        return f"slack:action:{user}:{action.get('action_ts', '')}:{action.get('action_id', '')}"
    if body.get("type") == "view_submission" and isinstance(body.get("view"), dict):
        view = body["view"]
        values = json.dumps((view.get("state") or {}).get("values") or {}, sort_keys=True)
        digest = hashlib.sha256(values.encode()).hexdigest()[:16]
        return f"slack:view:{view.get('id', '')}:{digest}"
    if body.get("command") and body.get("trigger_id"):
        return f"slack:command:{user}:{body['trigger_id']}"
    return None


def _may_matter(body: dict[str, Any]) -> bool:
    """False for messages the bot ignores whatever they say (edits, bots, channel chatter outside a
    thread), so they cost no write."""
    event = body.get("event") or {}
    if not isinstance(event, dict) or event.get("type") != "message":
        return True
    if event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return False
    return event.get("channel_type") == "im" or bool(event.get("thread_ts"))


class NoAck:
    """The ack of a rerun: Slack was answered when the interaction first arrived."""

    response: Any = "acknowledged before the rerun"

    async def __call__(self, *args: Any, **kwargs: Any) -> None:
        return None


def replayer(client: AsyncWebClient, values: dict[str, Any]) -> Callable[[Receipt], Awaitable[None]]:
    """Rerun a recorded Slack interaction through its listener; `values` are the request context
    (desk, people, pacer, inbox) as the middleware sets them."""

    async def replay(receipt: Receipt) -> None:
        listener = REPLAYABLE.get(receipt.kind.removeprefix(PREFIX))
        if listener is None:
            raise LookupError(f"no Slack listener {receipt.kind!r} to rerun")
        context = AsyncBoltContext({**values, "bot_user_id": receipt.body.get("bot_user_id"), "rerun": True})
        await listener(ack=NoAck(), body=receipt.body["body"], client=client, context=context)

    return replay
