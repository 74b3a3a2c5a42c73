"""manifest.yml matches the code: commands, shortcuts and events registered, and the bot scopes used."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import yaml

from handlers.slack import actions, events, reports, shortcuts
from handlers.slack import slash_commands as commands
from handlers.slack import submissions as views

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))

# The bot scope each Web API method and event subscription needs (https://api.slack.com/methods).
METHOD_SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.open": "im:write",
    "reactions.add": "reactions:write",
    "users.info": "users:read",
    "views.open": None,
    "views.publish": None,
    "chat.getPermalink": None,
    "files.upload_v2": "files:write",  # files.getUploadURLExternal + files.completeUploadExternal
}
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "reaction_added": "reactions:read",
    "app_home_opened": None,
}


class RecordingApp:
    """Stands in for AsyncApp in `register(app)`: records what each decorator was asked to match."""

    def __init__(self) -> None:
        self.registered: dict[str, list[Any]] = {}

    def _record(self, kind: str, what: Any) -> Any:
        self.registered.setdefault(kind, []).append(what)
        return lambda listener: listener

    def command(self, name: str) -> Any:
        return self._record("command", name)

    def shortcut(self, callback_id: str) -> Any:
        return self._record("shortcut", callback_id)

    def event(self, name: str) -> Any:
        return self._record("event", name)

    def action(self, matcher: Any) -> Any:
        return self._record("action", matcher)

    def view(self, callback_id: str) -> Any:
        return self._record("view", callback_id)


def registered() -> dict[str, list[Any]]:
    app = RecordingApp()
    for module in (commands, actions, views, events, shortcuts, reports):
        module.register(app)
    return app.registered


def test_slash_commands_in_code_and_manifest_are_the_same() -> None:
    manifest = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert set(registered()["command"]) == manifest == set(commands.COMMANDS)


def test_message_shortcuts_in_code_and_manifest_are_the_same() -> None:
    manifest = {s["callback_id"] for s in MANIFEST["features"]["shortcuts"]}
    assert set(registered()["shortcut"]) == manifest == set(shortcuts.SHORTCUTS)


def test_event_subscriptions_cover_exactly_the_events_the_code_listens_to() -> None:
    manifest = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    subscribed = {event.split(".")[0] for event in manifest}
    assert set(registered()["event"]) == subscribed
    assert {"message.im", "message.channels", "message.groups"} <= manifest


def test_every_request_url_is_the_one_events_endpoint() -> None:
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls += [
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
    ]
    assert {re.sub(r"^https://[^/]+", "", url) for url in urls} == {"/slack/events"}
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def web_api_methods_called() -> set[str]:
    """Every `client.<method>(...)` call in handlers/slack, as Slack method names (chat_postMessage -> chat.postMessage)."""
    methods = set()
    for path in (ROOT / "handlers" / "slack").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                if name == "client" and "_" in node.func.attr:
                    family, _, method = node.func.attr.partition("_")
                    methods.add(f"{family}.{method}")
    return methods


def test_bot_scopes_are_exactly_those_the_code_needs() -> None:
    called = web_api_methods_called()
    assert called <= set(METHOD_SCOPES), f"add the scope of {called - set(METHOD_SCOPES)} to METHOD_SCOPES"
    events_ = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    needed = {METHOD_SCOPES[m] for m in called} | {EVENT_SCOPES[e] for e in events_}
    if registered()["command"] or registered()["shortcut"]:
        needed.add("commands")
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed - {None}
