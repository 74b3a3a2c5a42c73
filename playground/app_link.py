"""Delivery of people's actions to the bot as Slack does it: signed HTTP posts, or Socket Mode envelopes."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from playground.records import JSON, dumps
from playground.slack_api import SlackWebApi


def signature(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 request signature of `body` sent at `timestamp`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: str, *, timestamp: float | None = None, content_type: str
) -> dict[str, str]:
    stamp = str(int(time.time() if timestamp is None else timestamp))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body),
    }


def encode(kind: str, payload: JSON | dict[str, str]) -> tuple[str, str]:
    """The HTTP body and content type Slack uses for an event, a slash command or an interaction."""
    if kind == "events_api":
        return dumps(payload), "application/json"
    if kind == "slash_commands":
        return urllib.parse.urlencode(payload), "application/x-www-form-urlencoded"
    return urllib.parse.urlencode({"payload": dumps(payload)}), "application/x-www-form-urlencoded"


def kind_of(payload: JSON | dict[str, str]) -> str:
    if payload.get("type") == "event_callback":
        return "events_api"
    return "slash_commands" if "command" in payload else "interactive"


@dataclass
class Delivered:
    """The app's answer to one delivery: HTTP status and body (JSON when it parses)."""

    status: int
    body: Any = None
    elapsed: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)


class AppLink:
    """Delivers people's actions to the bot: signed HTTP posts to `events_url`, or Socket Mode when the
    bot is connected (and `prefer_socket`). View submissions apply the app's ack to the workspace."""

    def __init__(
        self,
        api: SlackWebApi,
        *,
        events_url: str = "",
        signing_secret: str = "",
        session: aiohttp.ClientSession | None = None,
        prefer_socket: bool = True,
    ) -> None:
        self.api = api
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.prefer_socket = prefer_socket
        self._session = session

    async def deliver(self, payload: JSON | dict[str, str], *, retry_num: int | None = None) -> Delivered:
        kind = kind_of(payload)
        started = time.perf_counter()
        if self.prefer_socket and self.api.socket.connections:
            ack = await self.api.socket.send(kind, dict(payload))
            delivered = Delivered(200, ack.get("payload"))
        else:
            delivered = await self._post(kind, payload, retry_num=retry_num)
        delivered.elapsed = time.perf_counter() - started
        if payload.get("type") == "view_submission" and delivered.status == 200:
            body = delivered.body if isinstance(delivered.body, dict) else None
            view: Any = payload["view"]
            self.api.workspace.apply_view_response(str(view["id"]), body)
        return delivered

    async def deliver_all(self, payloads: list[JSON]) -> list[Delivered]:
        return [await self.deliver(p) for p in payloads]

    async def _post(self, kind: str, payload: JSON | dict[str, str], *, retry_num: int | None) -> Delivered:
        body, content_type = encode(kind, payload)
        headers = signed_headers(self.signing_secret, body, content_type=content_type)
        if retry_num is not None:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        session = self._session or aiohttp.ClientSession()
        try:
            async with session.post(self.events_url, data=body.encode(), headers=headers) as response:
                text = await response.text()
        finally:
            if self._session is None:
                await session.close()
        try:
            parsed: Any = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return Delivered(response.status, parsed)
