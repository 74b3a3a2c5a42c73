"""The shape of a Bot Framework activity, checked at the edge before botbuilder or SupportBot reads it.

The fields the bot reads must have the JSON type Teams sends (objects where it sends objects, ASCII
ids); anything else passes through untouched. A misfit is a 400 with one log line, never a 500.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Account(_Shape):
    id: str
    name: str | None = None

    @field_validator("id")
    @classmethod
    def _ascii(cls, value: str) -> str:
        if not value.isascii():
            raise ValueError("ids are ASCII")
        return value


class _Conversation(_Account):
    conversationType: str | None = None
    tenantId: str | None = None


class _Part(_Shape):
    id: str | None = None


class _ChannelData(_Shape):
    channel: _Part | None = None
    team: _Part | None = None
    tenant: _Part | None = None


class _Action(_Shape):
    type: str | None = None
    verb: str | None = None
    data: dict[str, Any] | None = None


class _InvokeValue(_Shape):
    action: _Action


class _Activity(_Shape):
    type: str
    serviceUrl: str
    conversation: _Conversation
    id: str | None = None
    text: str | None = None
    locale: str | None = None
    replyToId: str | None = None
    channelData: _ChannelData | None = None
    entities: list[dict[str, Any]] | None = None
    membersAdded: list[_Account] | None = None
    membersRemoved: list[_Account] | None = None
    recipient: _Account | None = None
    sender: _Account | None = Field(default=None, alias="from")


def problem(body: dict[str, Any]) -> str | None:
    """Why `body` is not an activity the bot can handle safely, or None when it fits."""
    try:
        _Activity.model_validate(body)
        if body.get("type") == "invoke" and body.get("name") == "adaptiveCard/action":
            _InvokeValue.model_validate(body.get("value"))
        if body.get("channelId") == "msteams" and body.get("type") == "conversationUpdate":
            _ChannelData.model_validate(body.get("channelData"))  # botbuilder reads it unguarded
    except ValidationError as error:
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc']) or 'activity'}: {first['msg']}"
    return None
