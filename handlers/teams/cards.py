"""Neutral replies and forms -> Adaptive Card JSON for Teams (Universal Actions). Pure functions.

Every string in a Reply is plain user text; TextBlocks render a Markdown subset, so text is escaped
here. Mentions become `<at>Name</at>` plus a `mention` entity in the card's `msteams.entities`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from bot.models import Platform
from bot.replies import Attachment, Button, Form, Input, InputKind, Mention, Reply, Style

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # Universal Actions (Action.Execute) need 1.4; Teams renders 1.5

# The priority colours of bot.cases.views, as the container styles Adaptive Cards offer.
ACCENT_STYLES = {"#d92d20": "attention", "#e8912d": "warning", "#2f6fde": "accent", "#8a8a8a": "emphasis"}
BUTTON_STYLES = {Style.PRIMARY: "positive", Style.DANGER: "destructive"}

_MARKDOWN = re.compile(r"([\\`*_\[\]<>])")
_LINE_START = re.compile(r"^(\s*(?:\d+(?=\.\s))?)([#+-]|\.(?=\s))")

Card = dict[str, Any]


def escape(text: str) -> str:
    """Plain text as Adaptive Card Markdown that shows exactly that text (no links, emphasis or mentions).

    Markdown needs a blank line for a line break, so single newlines are doubled.
    """
    lines = []
    for line in text.split("\n"):
        escaped = _MARKDOWN.sub(r"\\\1", line)
        lines.append(_LINE_START.sub(r"\1\\\2", escaped))
    return "\n\n".join(line for line in lines if line.strip()) if len(lines) > 1 else lines[0]


_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")


def escape_keeping_links(text: str) -> str:
    """Like `escape`, but `[label](https://...)` stays clickable, as `label (https://...)` with the URL
    itself as the link text (as Slack's renderer does): a link is never disguised, whoever wrote it."""
    parts: list[str] = []
    last = 0
    for match in _LINK.finditer(text):
        parts.append(escape(text[last : match.start()]) if text[last : match.start()] else "")
        parts.append(f"{escape(match[1])} ([{match[2]}]({match[2]}))")
        last = match.end()
    parts.append(escape(text[last:]) if text[last:] else "")
    return "".join(parts)


def _text(text: str, **style: Any) -> Card:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def mention_entities(mentions: tuple[Mention, ...]) -> tuple[str, list[Card]]:
    """The mention text (`<at>Jan</at>, <at>Ola</at>`) and its entities; people without a Teams account by name."""
    parts: list[str] = []
    entities: list[Card] = []
    for mention in mentions:
        account = mention.account(Platform.TEAMS)
        if account is None:
            parts.append(escape(mention.name))
            continue
        tag = f"<at>{mention.name}</at>"
        parts.append(tag)
        entities.append({"type": "mention", "text": tag, "mentioned": {"id": account, "name": mention.name}})
    return ", ".join(parts), entities


def channel_mention(channel_id: str, name: str) -> tuple[str, Card]:
    """A channel-wide alert: Teams notifies a channel mentioned with an entity of type `channel`."""
    tag = f"<at>{name}</at>"
    return tag, {
        "type": "mention",
        "text": tag,
        "mentioned": {"id": channel_id, "name": name, "type": "channel"},
    }


def _action(button: Button) -> Card:
    action: Card = {
        "type": "Action.Execute",
        "title": button.label,
        "verb": button.action.value,
        "data": {"value": button.value},
    }
    if button.style in BUTTON_STYLES:
        action["style"] = BUTTON_STYLES[button.style]
    return action


def _envelope(body: list[Card], actions: list[Card], entities: list[Card]) -> Card:
    card: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    card["msteams"] = {"width": "Full", **({"entities": entities} if entities else {})}
    return card


def reply_card(reply: Reply, *, alert: tuple[str, str] | None = None) -> Card:
    """A Reply as one Adaptive Card. `alert` is (channel id, channel name) for `reply.channel_alert`."""
    body: list[Card] = []
    mention_text, entities = mention_entities(reply.mentions)
    if reply.channel_alert and alert is not None:
        tag, entity = channel_mention(*alert)
        mention_text = f"{tag}, {mention_text}" if mention_text else tag
        entities.insert(0, entity)
    if reply.title:
        title = _text(escape(reply.title), size="Medium", weight="Bolder")
        style = ACCENT_STYLES.get(reply.accent or "")
        body.append(
            {"type": "Container", "style": style, "bleed": True, "items": [title]} if style else title
        )
    if mention_text:
        body.append(_text(mention_text))
    if reply.text:
        body.append(_text(escape_keeping_links(reply.text)))
    if reply.fields:
        facts = [{"title": escape(f.label), "value": escape(f.value)} for f in reply.fields]
        body.append({"type": "FactSet", "facts": facts})
    body.extend(_text(escape(line), size="Small", isSubtle=True) for line in reply.context)
    body.extend(image(a) for a in reply.attachments if a.is_image)
    actions = [_action(b) for b in reply.buttons]
    if reply.link is not None:
        label, url = reply.link
        actions.append({"type": "Action.OpenUrl", "title": label, "url": url})
    return _envelope(body, actions, entities)


def data_uri(attachment: Attachment) -> str:
    return f"data:{attachment.mime};base64,{base64.b64encode(attachment.data).decode('ascii')}"


def image(attachment: Attachment) -> Card:
    """A chart inside the card, as a data URI (Teams shows base64 images in Adaptive Cards)."""
    return {"type": "Image", "url": data_uri(attachment), "altText": attachment.title, "size": "Stretch"}


def _input(field: Input, value: str) -> Card:
    common: Card = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.kind in (InputKind.SELECT, InputKind.USER) and field.options:
        choices = [{"title": o.label, "value": o.value} for o in field.options]
        return {"type": "Input.ChoiceSet", **common, "choices": choices, "style": "compact", "value": value}
    card: Card = {"type": "Input.Text", **common, "maxLength": field.max_length, "value": value}
    if field.kind is InputKind.MULTILINE:
        card["isMultiline"] = True
    if field.placeholder:
        card["placeholder"] = field.placeholder
    return card


def form_card(
    form: Form, *, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> Card:
    """A form as a card with inputs; `values` refill a rejected submission, `errors` show under their field."""
    values = values or {}
    errors = errors or {}
    body: list[Card] = [_text(escape(form.title), size="Medium", weight="Bolder")]
    if form.intro:
        body.append(_text(escape(form.intro), isSubtle=True))
    for field in form.inputs:
        body.append(_input(field, values.get(field.name, field.initial)))
        if field.name in errors:
            body.append(_text(escape(errors[field.name]), color="Attention", size="Small", spacing="None"))
    submit = {
        "type": "Action.Execute",
        "title": form.submit,
        "verb": form.id.value,
        "data": {"form_context": dict(form.context)},
        "style": "positive",
    }
    return _envelope(body, [submit], [])


def attachment(card: Card) -> Card:
    return {"contentType": CONTENT_TYPE, "content": card}
