"""The workspace's state, its change feed, and the Web-API-side mutations the bot makes.

Every change is announced to subscribers (`subscribe(callback)`) as a `Change`, so a UI can stream
updates. Everything here is synchronous and single-threaded (one asyncio loop).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import asdict

from playground.records import JSON, Change, Channel, Ephemeral, Message, SlackError, User, View


class WorkspaceState:
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
        metadata: JSON | None = None,
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
            metadata=metadata,
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
