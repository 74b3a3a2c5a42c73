"""The workspace as people use it (say, command, click, submit, react ...), and the demo one.

`Workspace` is the one fake Slack of the project: the browser playground shows it, the Web API in
`playground.slack_api` serves it to the bot, and the tests and `bench/slack_load.py` drive it.
The bot changes it through the Web-API-side methods it inherits from `WorkspaceState`; people change
it through the actions here, each of which changes the workspace as Slack would and returns the
payload Slack would send to the app (deliver it with `playground.app_link.AppLink`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.i18n import languages
from playground.blockkit import find_button, state_values
from playground.records import JSON, Ephemeral, Message, SlackError, User
from playground.state import WorkspaceState

if TYPE_CHECKING:
    from bot.config import Config

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


class Workspace(WorkspaceState):
    """A Slack workspace with one bot user, and the actions of the people in it."""

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
        block_id, text = find_button(message.blocks if message else self._view_blocks(view_id), action_id)
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
            if message.thread_ts:
                payload["container"]["thread_ts"] = message.thread_ts
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
        state = state_values(view, values or {})
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


LOCALES = {language.code: language.locale.replace("_", "-") for language in languages.REGISTRY}
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
