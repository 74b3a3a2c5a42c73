"""The workspace's records as Slack shapes them (users, channels, messages, views ...), and SlackError."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class SlackError(Exception):
    """A Web API error as Slack reports it: `{"ok": false, "error": code}`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class User:
    id: str
    name: str
    real_name: str = ""
    locale: str = "en-US"
    tz: str = "Europe/London"
    is_bot: bool = False

    def to_json(self, *, team_id: str, include_locale: bool = False) -> JSON:
        body: JSON = {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name or self.name,
            "tz": self.tz,
            "is_bot": self.is_bot,
            "profile": {"real_name": self.real_name or self.name, "display_name": self.name},
        }
        if include_locale:
            body["locale"] = self.locale
        return body


@dataclass
class Channel:
    id: str
    name: str
    is_im: bool = False
    user: str | None = None  # the person of a DM with the bot
    members: list[str] = field(default_factory=list)


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    user: str
    blocks: list[JSON] = field(default_factory=list)
    thread_ts: str | None = None
    bot_id: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    edited: bool = False
    reply_count: int = 0
    metadata: JSON | None = None

    def to_json(self) -> JSON:
        body: JSON = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
        if self.metadata:
            body["metadata"] = self.metadata
        if self.blocks:
            body["blocks"] = self.blocks
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        if self.bot_id:
            body["bot_id"] = self.bot_id
        if self.reply_count:
            body["reply_count"] = self.reply_count
        if self.reactions:
            body["reactions"] = [
                {"name": n, "users": list(u), "count": len(u)} for n, u in self.reactions.items() if u
            ]
        return body


@dataclass
class Ephemeral:
    """A message only `user` sees (chat.postEphemeral, or a slash command's ack text)."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[JSON] = field(default_factory=list)
    thread_ts: str | None = None


@dataclass
class View:
    """A modal or an App Home tab shown to one user. `errors` are the last `response_action: errors`."""

    id: str
    user: str
    type: str
    view: JSON
    hash: str
    errors: dict[str, str] = field(default_factory=dict)
    open: bool = True

    def to_json(self, *, team_id: str, app_id: str, bot_id: str, values: JSON | None = None) -> JSON:
        return {
            **self.view,
            "id": self.id,
            "team_id": team_id,
            "type": self.type,
            "hash": self.hash,
            "private_metadata": self.view.get("private_metadata", ""),
            "callback_id": self.view.get("callback_id", ""),
            "external_id": self.view.get("external_id", ""),
            "root_view_id": self.id,
            "previous_view_id": None,
            "app_id": app_id,
            "bot_id": bot_id,
            "state": {"values": values or {}},
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One change a UI may show: `kind` is message, message_changed, ephemeral, reaction, view_opened,
    view_updated, view_closed, view_errors or home; `data` is its JSON (with `channel`/`user` as relevant)."""

    kind: str
    data: JSON


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
