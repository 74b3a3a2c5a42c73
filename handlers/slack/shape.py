"""The shape of a signed Slack payload, checked at the edge before bolt or a listener reads it.

Slack's payloads are validated with pydantic models of the fields this app (and bolt's own routing)
reads: each must have its documented JSON type when present, and the ids a listener needs must be
there. Anything else is kept as it came (`extra="allow"`), so new fields Slack adds pass through. A
payload that does not fit is refused with a 400 and one log line, never a 500 from deep inside bolt.
Types this app has no listener for are checked only for being JSON objects with a string `type`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

JSON = dict[str, Any]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _User(_Shape):
    id: str
    name: str | None = None
    team_id: str | None = None


class _Channel(_Shape):
    id: str
    name: str | None = None


class _Team(_Shape):
    id: str | None = None
    domain: str | None = None


class _Container(_Shape):
    type: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    view_id: str | None = None


class _Message(_Shape):
    ts: str | None = None
    thread_ts: str | None = None
    text: str | None = None
    user: str | None = None
    bot_id: str | None = None
    blocks: list[JSON] | None = None


class _Option(_Shape):
    value: str


class _Action(_Shape):
    action_id: str
    block_id: str | None = None
    value: str | None = None
    type: str | None = None
    action_ts: str | None = None
    selected_option: _Option | None = None
    selected_user: str | None = None


class _InputState(_Shape):
    type: str | None = None
    value: str | None = None
    selected_option: _Option | None = None
    selected_user: str | None = None


class _ViewState(_Shape):
    values: dict[str, dict[str, _InputState]]


class _View(_Shape):
    id: str | None = None
    type: str | None = None
    callback_id: str | None = None
    private_metadata: str | None = None
    hash: str | None = None
    state: _ViewState | None = None
    blocks: list[JSON] | None = None


class _BlockActions(_Shape):
    type: Literal["block_actions"]
    user: _User
    actions: list[_Action]
    trigger_id: str
    team: _Team | None = None
    channel: _Channel | None = None
    container: _Container | None = None
    message: _Message | None = None
    view: _View | None = None
    response_url: str | None = None


class _ViewPayload(_Shape):
    type: Literal["view_submission", "view_closed"]
    user: _User
    view: _View
    team: _Team | None = None
    trigger_id: str | None = None


class _MessageAction(_Shape):
    type: Literal["message_action"]
    user: _User
    callback_id: str
    trigger_id: str
    channel: _Channel
    message: _Message
    message_ts: str | None = None
    team: _Team | None = None


class _Shortcut(_Shape):
    type: Literal["shortcut"]
    user: _User
    callback_id: str
    trigger_id: str
    team: _Team | None = None


class _BlockSuggestion(_Shape):
    type: Literal["block_suggestion"]
    user: _User
    action_id: str
    value: str
    block_id: str | None = None
    view: _View | None = None


class _Item(_Shape):
    type: str | None = None
    channel: str | None = None
    ts: str | None = None


class _TextEvent(_Shape):
    """message, app_mention, reaction_added, app_home_opened: the events this app listens to."""

    type: str
    user: str | None = None
    channel: str | None = None
    text: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    event_ts: str | None = None
    channel_type: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    reaction: str | None = None
    tab: str | None = None
    item: _Item | None = None
    blocks: list[JSON] | None = None


class _AnyEvent(_Shape):
    type: str


class _EventCallback(_Shape):
    type: Literal["event_callback"]
    event: JSON
    event_id: str | None = None
    event_time: int | None = None
    team_id: str | None = None
    api_app_id: str | None = None
    authorizations: list[JSON] | None = None


class _UrlVerification(_Shape):
    type: Literal["url_verification"]
    challenge: str


class _SlashCommand(_Shape):
    command: str
    user_id: str
    channel_id: str
    trigger_id: str
    text: str | None = None
    team_id: str | None = None


class _Other(_Shape):
    type: str


TEXT_EVENTS = frozenset({"message", "app_mention", "reaction_added", "app_home_opened"})
_BY_TYPE: dict[str, type[_Shape]] = {
    "block_actions": _BlockActions,
    "view_submission": _ViewPayload,
    "view_closed": _ViewPayload,
    "message_action": _MessageAction,
    "shortcut": _Shortcut,
    "block_suggestion": _BlockSuggestion,
    "event_callback": _EventCallback,
    "url_verification": _UrlVerification,
}


def problem(body: object) -> str | None:
    """Why `body` (a parsed Slack payload) is not one this app can handle safely, or None when it fits."""
    if not isinstance(body, dict):
        return "the payload is not a JSON object"
    if "command" in body:
        return _check(_SlashCommand, body)
    kind = body.get("type")
    if not isinstance(kind, str):
        return "the payload has no type"
    why = _check(_BY_TYPE.get(kind, _Other), body)
    if why is None and kind == "event_callback":
        event = body["event"]
        why = _check(_AnyEvent, event)
        if why is None and event["type"] in TEXT_EVENTS:
            why = _check(_TextEvent, event)
        why = f"event: {why}" if why else None
    return why


def _check(model: type[_Shape], body: JSON) -> str | None:
    try:
        model.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        return f"{where}: {first['msg']}"
    return None
