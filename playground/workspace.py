"""An in-memory Slack workspace: users, channels, messages with threads, ephemerals, views, reactions.

It is the one fake Slack of the project: the browser playground shows it, the Web API in
`playground.slack_api` serves it to the bot, and the tests and `bench/slack_load.py` drive it.

Two sides change it:
- the bot, through Web API methods (`post_message`, `update_message`, `open_view`, `publish_home` ...);
- people, through `say`, `command`, `click`, `submit`, `react`, `open_home`, `shortcut`, each of which
  changes the workspace as Slack would and returns the payload Slack would send to the app (deliver it
  with `playground.slack_api.AppLink`).

Every change is announced to subscribers (`subscribe(callback)`) as a `Change`, so a UI can stream
updates. Everything here is synchronous and single-threaded (one asyncio loop).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Config

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

    def to_json(self) -> JSON:
        body: JSON = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
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


_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


class Workspace:
    """A Slack workspace with one bot user. Ids are deterministic (handy in tests and screenshots)."""

    def __init__(
        self,
        *,
        team_id: str = "T0DEMO",
        domain: str = "demo",
        app_id: str = "A0DEMO",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        bot_name: str = "supportbot",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.team_id, self.domain, self.app_id = team_id, domain, app_id
        self.bot_user_id, self.bot_id = bot_user_id, bot_id
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[Message]] = {}
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, View] = {}
        self.homes: dict[str, View] = {}
        self._listeners: list[Callable[[Change], None]] = []
        self._triggers: dict[str, str] = {}  # trigger id -> user
        self._ids = itertools.count(1)
        self._seconds = itertools.count(1_700_000_000)
        self._clock = clock
        self.add_user(User(bot_user_id, bot_name, "Support bot", is_bot=True))

    # --- people and places -------------------------------------------------------------------

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        return user

    def add_channel(self, channel_id: str, name: str, *, members: list[str] | None = None) -> Channel:
        channel = Channel(channel_id, name, members=list(members or []))
        self.channels[channel_id] = channel
        self.messages.setdefault(channel_id, [])
        return channel

    def open_im(self, user_id: str) -> Channel:
        """The DM between `user_id` and the bot (created on first use), as conversations.open does."""
        self.user(user_id)
        channel_id = "D" + user_id.removeprefix("U")
        if channel_id not in self.channels:
            self.channels[channel_id] = Channel(channel_id, user_id, is_im=True, user=user_id)
            self.messages[channel_id] = []
        return self.channels[channel_id]

    def user(self, user_id: str) -> User:
        if user_id not in self.users:
            raise SlackError("user_not_found")
        return self.users[user_id]

    def channel(self, channel_id: str) -> Channel:
        if channel_id in self.channels:
            return self.channels[channel_id]
        if channel_id in self.users:  # posting to a user id means their DM with the bot
            return self.open_im(channel_id)
        if channel_id.startswith("D") and "U" + channel_id[1:] in self.users:
            return self.open_im("U" + channel_id[1:])
        raise SlackError("channel_not_found")

    # --- listening -------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call `listener` on every change; returns a function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, kind: str, data: JSON) -> None:
        change = Change(kind, data)
        for listener in list(self._listeners):
            listener(change)

    # --- reading ---------------------------------------------------------------------------------

    def history(self, channel_id: str) -> list[Message]:
        """Top-level messages of a channel, oldest first."""
        return [m for m in self.messages.get(channel_id, []) if not m.thread_ts or m.thread_ts == m.ts]

    def thread(self, channel_id: str, ts: str) -> list[Message]:
        """The replies in the thread of message `ts` (not the parent)."""
        return [m for m in self.messages.get(channel_id, []) if m.thread_ts == ts and m.ts != ts]

    def message(self, channel_id: str, ts: str) -> Message:
        for message in self.messages.get(channel_id, []):
            if message.ts == ts:
                return message
        raise SlackError("message_not_found")

    def ephemerals_for(self, user_id: str) -> list[Ephemeral]:
        return [e for e in self.ephemerals if e.user == user_id]

    def open_views(self, user_id: str) -> list[View]:
        return [v for v in self.views.values() if v.user == user_id and v.open]

    def snapshot(self, user_id: str) -> JSON:
        """Everything `user_id` can see, as JSON: for a UI's first paint."""
        visible = [c for c in self.channels.values() if not c.is_im or c.user == user_id]
        return {
            "team": {"id": self.team_id, "domain": self.domain, "bot_user_id": self.bot_user_id},
            "users": [asdict(u) for u in self.users.values()],
            "channels": [asdict(c) for c in visible],
            "messages": {c.id: [m.to_json() for m in self.messages.get(c.id, [])] for c in visible},
            "ephemerals": [asdict(e) for e in self.ephemerals_for(user_id)],
            "views": [asdict(v) for v in self.open_views(user_id)],
            "home": asdict(self.homes[user_id]) if user_id in self.homes else None,
        }

    # --- ids ----------------------------------------------------------------------------------------

    def next_ts(self) -> str:
        seconds = int(self._clock()) if self._clock else next(self._seconds)
        return f"{seconds}.{next(self._ids):06d}"

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def new_trigger(self, user_id: str) -> str:
        trigger = f"{next(self._ids)}.{self.team_id}.trigger"
        self._triggers[trigger] = user_id
        return trigger

    # --- what the bot does (the Web API calls these) --------------------------------------------

    def post_message(
        self,
        channel_id: str,
        *,
        text: str = "",
        blocks: list[JSON] | None = None,
        thread_ts: str | None = None,
        user: str | None = None,
    ) -> Message:
        channel = self.channel(channel_id)
        if not text and not blocks:
            raise SlackError("no_text")
        author = user or self.bot_user_id
        message = Message(
            channel.id,
            self.next_ts(),
            text,
            author,
            blocks=list(blocks or []),
            thread_ts=thread_ts,
            bot_id=self.bot_id if author == self.bot_user_id else None,
        )
        if thread_ts:
            parent = self.message(channel.id, thread_ts)
            parent.thread_ts = parent.ts
            parent.reply_count += 1
        self.messages[channel.id].append(message)
        self._emit("message", {"channel": channel.id, "message": message.to_json()})
        return message

    def update_message(
        self, channel_id: str, ts: str, *, text: str = "", blocks: list[JSON] | None = None
    ) -> Message:
        message = self.message(self.channel(channel_id).id, ts)
        if message.user != self.bot_user_id:
            raise SlackError("cant_update_message")
        message.text, message.edited = text, True
        if blocks is not None:
            message.blocks = list(blocks)
        self._emit("message_changed", {"channel": message.channel, "message": message.to_json()})
        return message

    def post_ephemeral(
        self,
        channel_id: str,
        user_id: str,
        *,
        text: str = "",
        blocks: list[JSON] | None = None,
        thread_ts: str | None = None,
    ) -> Ephemeral:
        channel = self.channel(channel_id)
        self.user(user_id)
        ephemeral = Ephemeral(channel.id, self.next_ts(), user_id, text, list(blocks or []), thread_ts)
        self.ephemerals.append(ephemeral)
        self._emit("ephemeral", asdict(ephemeral))
        return ephemeral

    def add_reaction(self, channel_id: str, ts: str, name: str, *, user: str | None = None) -> Message:
        message = self.message(self.channel(channel_id).id, ts)
        users = message.reactions.setdefault(name, [])
        who = user or self.bot_user_id
        if who in users:
            raise SlackError("already_reacted")
        users.append(who)
        self._emit("reaction", {"channel": message.channel, "ts": ts, "name": name, "user": who})
        return message

    def open_view(self, trigger_id: str, view: JSON) -> View:
        user = self._triggers.pop(trigger_id, None)
        if user is None:
            raise SlackError("invalid_trigger_id")
        opened = View(self._id("V"), user, "modal", dict(view), self._id("h"))
        self.views[opened.id] = opened
        self._emit("view_opened", {"user": user, "view": asdict(opened)})
        return opened

    def update_view(self, view_id: str, view: JSON, *, hash: str | None = None) -> View:
        current = self.views.get(view_id)
        if current is None:
            raise SlackError("not_found")
        if hash and hash != current.hash:
            raise SlackError("hash_conflict")
        current.view, current.hash, current.errors = dict(view), self._id("h"), {}
        self._emit("view_updated", {"user": current.user, "view": asdict(current)})
        return current

    def close_view(self, view_id: str) -> None:
        view = self.views.get(view_id)
        if view and view.open:
            view.open = False
            self._emit("view_closed", {"user": view.user, "view_id": view_id})

    def publish_home(self, user_id: str, view: JSON) -> View:
        self.user(user_id)
        home = self.homes.get(user_id)
        if home is None:
            home = View(self._id("V"), user_id, "home", dict(view), self._id("h"))
            self.homes[user_id] = home
        else:
            home.view, home.hash = dict(view), self._id("h")
        self._emit("home", {"user": user_id, "view": asdict(home)})
        return home

    def permalink(self, channel_id: str, ts: str) -> str:
        self.message(self.channel(channel_id).id, ts)
        return f"https://{self.domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"

    def apply_view_response(self, view_id: str, response: JSON | None) -> None:
        """Apply the app's ack of a view submission: close, show field errors, update or clear."""
        action = (response or {}).get("response_action")
        if action == "errors":
            view = self.views[view_id]
            view.errors = dict((response or {}).get("errors", {}))
            self._emit("view_errors", {"user": view.user, "view_id": view_id, "errors": view.errors})
        elif action == "update":
            self.update_view(view_id, dict((response or {})["view"]))
        elif action == "clear":
            for view in self.open_views(self.views[view_id].user):
                self.close_view(view.id)
        else:
            self.close_view(view_id)

    # --- what people do: each returns the payload Slack sends to the app ---------------------------

    def _user_json(self, user_id: str) -> JSON:
        user = self.user(user_id)
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": self.team_id}

    def _envelope(self, event: JSON) -> JSON:
        return {
            "token": "verification-token",
            "team_id": self.team_id,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self._id("Ev"),
            "event_time": int(float(event.get("event_ts", self.next_ts()))),
            "authorizations": [
                {"team_id": self.team_id, "user_id": self.bot_user_id, "is_bot": True, "enterprise_id": None}
            ],
        }

    def say(self, user_id: str, channel_id: str, text: str, *, thread_ts: str | None = None) -> list[JSON]:
        """A person posts `text`; returns the event callbacks the app is subscribed to (message, app_mention)."""
        message = self.post_message(channel_id, text=text, thread_ts=thread_ts, user=user_id)
        channel = self.channels[message.channel]
        event: JSON = {
            "type": "message",
            "channel": channel.id,
            "user": user_id,
            "text": text,
            "ts": message.ts,
            "event_ts": message.ts,
            "team": self.team_id,
            "channel_type": "im" if channel.is_im else "channel",
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
            event["parent_user_id"] = self.message(channel.id, thread_ts).user
        events = [self._envelope(event)]
        if not channel.is_im and self.bot_user_id in _MENTION.findall(text):
            mention = {k: v for k, v in event.items() if k not in ("channel_type", "parent_user_id")}
            events.append(self._envelope({**mention, "type": "app_mention"}))
        return events

    def command(self, user_id: str, channel_id: str, command: str, text: str = "") -> dict[str, str]:
        """A person runs a slash command; returns its form fields."""
        user, channel = self.user(user_id), self.channel(channel_id)
        return {
            "token": "verification-token",
            "team_id": self.team_id,
            "team_domain": self.domain,
            "channel_id": channel.id,
            "channel_name": "directmessage" if channel.is_im else channel.name,
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "response_url": f"https://hooks.slack.invalid/commands/{self.team_id}/{self._id('R')}",
            "trigger_id": self.new_trigger(user.id),
        }

    def click(
        self,
        user_id: str,
        *,
        action_id: str,
        value: str = "",
        message: Message | Ephemeral | None = None,
        view_id: str | None = None,
    ) -> JSON:
        """A person clicks a button on a message, an ephemeral or a view; returns the block_actions payload."""
        block_id, text = self._find_button(
            message.blocks if message else self._view_blocks(view_id), action_id
        )
        action = {
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": text},
            "value": value,
            "type": "button",
            "action_ts": self.next_ts(),
        }
        payload: JSON = {
            "type": "block_actions",
            "user": self._user_json(user_id),
            "api_app_id": self.app_id,
            "token": "verification-token",
            "trigger_id": self.new_trigger(user_id),
            "team": {"id": self.team_id, "domain": self.domain},
            "response_url": f"https://hooks.slack.invalid/actions/{self._id('R')}",
            "actions": [action],
        }
        if message is not None:
            ephemeral = isinstance(message, Ephemeral)
            payload["container"] = {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": message.channel, "name": self.channels[message.channel].name}
            if isinstance(message, Message):
                payload["message"] = message.to_json()
        else:
            view = next(v for v in (*self.views.values(), *self.homes.values()) if v.id == view_id)
            payload["container"] = {"type": "view", "view_id": view.id}
            payload["view"] = view.to_json(team_id=self.team_id, app_id=self.app_id, bot_id=self.bot_id)
        return payload

    def submit(self, user_id: str, view_id: str, values: dict[str, str] | None = None) -> JSON:
        """A person submits a modal; `values` by block id override the inputs' initial values."""
        view = self.views.get(view_id)
        if view is None or not view.open or view.user != user_id:
            raise SlackError("view_not_found")
        state = self.state_values(view, values or {})
        return {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.domain},
            "user": self._user_json(user_id),
            "api_app_id": self.app_id,
            "token": "verification-token",
            "trigger_id": self.new_trigger(user_id),
            "view": view.to_json(team_id=self.team_id, app_id=self.app_id, bot_id=self.bot_id, values=state),
            "response_urls": [],
        }

    def react(self, user_id: str, channel_id: str, ts: str, name: str) -> JSON:
        """A person adds a reaction; returns the reaction_added event callback."""
        message = self.add_reaction(channel_id, ts, name, user=user_id)
        event_ts = self.next_ts()
        return self._envelope(
            {
                "type": "reaction_added",
                "user": user_id,
                "reaction": name,
                "item_user": message.user,
                "item": {"type": "message", "channel": message.channel, "ts": ts},
                "event_ts": event_ts,
            }
        )

    def open_home(self, user_id: str) -> JSON:
        self.open_im(user_id)
        event_ts = self.next_ts()
        return self._envelope(
            {
                "type": "app_home_opened",
                "user": user_id,
                "channel": "D" + user_id.removeprefix("U"),
                "tab": "home",
                "event_ts": event_ts,
            }
        )

    def shortcut(self, user_id: str, channel_id: str, ts: str, callback_id: str) -> JSON:
        """A person runs a message shortcut on message `ts`; returns the message_action payload."""
        message = self.message(self.channel(channel_id).id, ts)
        return {
            "type": "message_action",
            "token": "verification-token",
            "action_ts": self.next_ts(),
            "team": {"id": self.team_id, "domain": self.domain},
            "user": self._user_json(user_id),
            "channel": {"id": message.channel, "name": self.channels[message.channel].name},
            "callback_id": callback_id,
            "trigger_id": self.new_trigger(user_id),
            "message_ts": ts,
            "message": message.to_json(),
            "response_url": f"https://hooks.slack.invalid/actions/{self._id('R')}",
        }

    # --- helpers -------------------------------------------------------------------------------------

    def _view_blocks(self, view_id: str | None) -> list[JSON]:
        for view in (*self.views.values(), *self.homes.values()):
            if view.id == view_id:
                return list(view.view.get("blocks", []))
        raise SlackError("view_not_found")

    @staticmethod
    def _find_button(blocks: list[JSON], action_id: str) -> tuple[str, str]:
        for block in blocks:
            for element in _elements(block):
                if element.get("action_id") == action_id:
                    return str(block.get("block_id", "")), str(element.get("text", {}).get("text", ""))
        raise SlackError(f"no button {action_id!r}")

    @staticmethod
    def state_values(view: View, values: dict[str, str]) -> JSON:
        """`view.state.values` as Slack sends it, from the inputs' initial values and `values` by block id."""
        state: JSON = {}
        for block in view.view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element, block_id = block["element"], block["block_id"]
            kind, action_id = element["type"], element["action_id"]
            if kind == "plain_text_input":
                value = values.get(block_id, element.get("initial_value"))
                state[block_id] = {action_id: {"type": kind, "value": value}}
            elif kind == "static_select":
                chosen = values.get(block_id)
                option = next((o for o in element.get("options", []) if o["value"] == chosen), None)
                if chosen is None:
                    option = element.get("initial_option")
                state[block_id] = {action_id: {"type": kind, "selected_option": option}}
            elif kind == "users_select":
                state[block_id] = {
                    action_id: {
                        "type": kind,
                        "selected_user": values.get(block_id, element.get("initial_user")),
                    }
                }
        return state


def _elements(block: JSON) -> Iterator[JSON]:
    if "elements" in block:
        yield from block["elements"]
    if "accessory" in block:
        yield block["accessory"]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


LOCALES = {"en": "en-GB", "pl": "pl-PL", "uk": "uk-UA", "hr": "hr-HR"}
GENERAL = "C0GENERAL"


def demo_workspace(config: Config, *, clock: Callable[[], float] | None = None) -> Workspace:
    """A workspace with the configured people (Slack ids, locales from their language), each region's
    coordinators channel, and #general with everyone."""
    workspace = Workspace(domain=re.sub(r"[^a-z0-9]+", "-", config.workspace.lower()).strip("-"), clock=clock)
    people = [p for p in config.people if p.slack]
    for person in people:
        assert person.slack is not None
        locale = LOCALES.get(person.language, "en-GB")
        workspace.add_user(User(person.slack, person.id, person.name, locale=locale, tz=person.timezone))
    everyone = [p.slack for p in people if p.slack]
    workspace.add_channel(GENERAL, "general", members=[*everyone, workspace.bot_user_id])
    for code, region in config.regions.items():
        if region.channels.slack:
            members = [p.slack for p in people if p.slack and code in p.regions and p.role.can_claim]
            workspace.add_channel(
                region.channels.slack,
                f"{code.lower()}-coordinators",
                members=[*members, workspace.bot_user_id],
            )
    return workspace
