"""Neutral replies (text, cards, buttons, forms) that the desk returns and each platform renders.

Everything here is plain text: renderers escape it for their markup, so user input can never ping or
link anyone. People to notify are `Mention`s, which each platform turns into its own mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.models import Platform


class Action(StrEnum):
    """Ids of every button and form the bot shows; the value of a button says which case or article."""

    CLAIM = "case.claim"
    RELEASE = "case.release"
    RESOLVE = "case.resolve"
    REASSIGN = "case.reassign"
    ESCALATE_UP = "case.escalate_up"
    REOPEN = "case.reopen"
    NOTE = "case.note"
    DETAILS = "case.details"
    HELPFUL = "kb.helpful"
    NOT_HELPFUL = "kb.not_helpful"
    SHOW_ARTICLE = "kb.show_article"
    ESCALATE_QUESTION = "kb.escalate"
    CSAT_YES = "csat.yes"
    CSAT_PARTLY = "csat.partly"
    CSAT_NO = "csat.no"
    CSAT_COMMENT = "csat.comment"
    CONFIRM = "thread.confirm"  # the value is a pending thread command (bot.thread_replies.Pending)
    DISMISS = "thread.dismiss"
    UNDO = "thread.undo"  # the value is what was done (bot.thread_undo.Done)


class FormId(StrEnum):
    ESCALATE = "form.escalate"
    RESOLVE = "form.resolve"
    REASSIGN = "form.reassign"
    NOTE = "form.note"
    CSAT_COMMENT = "form.csat_comment"


class Style(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    action: Action
    label: str
    value: str = ""
    style: Style = Style.DEFAULT


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A person to notify, with their account on each platform they use."""

    name: str
    accounts: tuple[tuple[Platform, str], ...] = ()

    def account(self, platform: Platform) -> str | None:
        return next((user for p, user in self.accounts if p is platform), None)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to send with a reply: a chart (PNG) or an export (CSV)."""

    name: str  # file name, e.g. "cases-per-day.png"
    title: str
    data: bytes = field(repr=False)
    mime: str = "image/png"

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


@dataclass(frozen=True, slots=True)
class Reply:
    """A message: optional title, body text, fields, small print, buttons and people to mention.

    `ephemeral` replies are shown only to the person who acted, where the platform allows it.
    `channel_alert` asks the platform for a channel-wide alert (Slack @here, a Teams channel mention).
    """

    text: str = ""
    title: str | None = None
    fields: tuple[Field, ...] = ()
    context: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    mentions: tuple[Mention, ...] = ()
    link: tuple[str, str] | None = None  # (label, url)
    ephemeral: bool = False
    channel_alert: bool = False
    accent: str | None = None  # a colour hint: the case's priority
    attachments: tuple[Attachment, ...] = ()  # charts and exports, sent after the message


class InputKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    SELECT = "select"
    USER = "user"


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    label: str
    kind: InputKind = InputKind.TEXT
    required: bool = True
    initial: str = ""
    placeholder: str = ""
    options: tuple[Option, ...] = ()
    max_length: int = 3000


@dataclass(frozen=True, slots=True)
class Form:
    """A form (a Slack modal, a Teams Adaptive Card with inputs); `context` round-trips opaque state."""

    id: FormId
    title: str
    submit: str
    inputs: tuple[Input, ...]
    context: dict[str, str] = field(default_factory=dict)
    intro: str = ""
    cancel: str = ""
