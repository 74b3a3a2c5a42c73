"""Reply and Form -> Slack Block Kit (messages, modals, App Home), and modal state -> form values. Pure.

All text in a Reply is plain user text: it is escaped for mrkdwn (& < >) so that `<!channel>`,
`<@U123>` or `<https://x|y>` typed by someone shows as text and pings no one. Only mentions, the
channel alert and the reply's link are rendered as Slack markup. Light Markdown from knowledge-base
articles (**bold**, # headings, [label](https://...)) is turned into mrkdwn after escaping. A Markdown
link never becomes a disguised one: it shows as `label (https://...)`, the URL itself visible and
clickable, whoever wrote it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from bot.models import Platform
from bot.replies import Button, Form, Input, InputKind, Mention, Reply, Style

Block = dict[str, Any]

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
TITLE_LIMIT = 24
OPTION_LIMIT = 75

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)|]+)\)")
_BULLET = re.compile(r"^(\s*)[-*]\s+", re.MULTILINE)


def escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Plain text (with light Markdown) -> safe mrkdwn."""
    safe = escape(text)
    safe = _LINK.sub(lambda m: f"{m[1]} (<{m[2]}>)", safe)
    safe = _HEADING.sub(lambda m: f"*{m[1].strip()}*", safe)
    safe = _BULLET.sub(lambda m: f"{m[1]}• ", safe)
    return _BOLD.sub(lambda m: f"*{m[1]}*", safe)


def mention(person: Mention) -> str:
    user = person.account(Platform.SLACK)
    return f"<@{user}>" if user else escape(person.name)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit) or " ", "emoji": True}


def _chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split long mrkdwn at paragraph (or line) boundaries so each piece fits one section."""
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        candidate = f"{current}\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(paragraph) > limit:
            pieces.append(paragraph[:limit])
            paragraph = paragraph[limit:]
        current = paragraph
    if current.strip():
        pieces.append(current)
    return pieces


def action_ids(buttons: tuple[Button, ...]) -> list[str]:
    """Unique action ids: the Action value, then `#2`, `#3` for repeats (e.g. several suggestions)."""
    seen: Counter[str] = Counter()
    ids = []
    for button in buttons:
        seen[button.action.value] += 1
        n = seen[button.action.value]
        ids.append(button.action.value if n == 1 else f"{button.action.value}#{n}")
    return ids


def _button(button: Button, action_id: str) -> Block:
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "text": _plain(button.label, BUTTON_LIMIT),
        "value": button.value[:2000],
    }
    if button.style is not Style.DEFAULT:
        element["style"] = button.style.value
    return element


def mention_line(reply: Reply) -> str:
    parts = (["<!here>"] if reply.channel_alert else []) + [mention(m) for m in reply.mentions]
    return " ".join(parts)


def to_blocks(reply: Reply) -> list[Block]:
    """The Block Kit blocks of a message."""
    blocks: list[Block] = []
    if reply.title:
        blocks.append({"type": "header", "text": _plain(reply.title, HEADER_LIMIT)})
    people = mention_line(reply)
    if people:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": people}})
    for piece in _chunks(mrkdwn(reply.text)) if reply.text else []:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
    fields = [
        {"type": "mrkdwn", "text": _cut(f"*{escape(f.label)}*\n{escape(f.value)}", FIELD_LIMIT)}
        for f in reply.fields
    ]
    for start in range(0, len(fields), 10):
        blocks.append({"type": "section", "fields": fields[start : start + 10]})
    if reply.link:
        label, url = reply.link
        link = f"<{escape(url)}|{escape(label).replace('|', '¦')}>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": link}})
    if reply.context:
        elements = [{"type": "mrkdwn", "text": _cut(mrkdwn(c), FIELD_LIMIT)} for c in reply.context[:10]]
        blocks.append({"type": "context", "elements": elements})
    ids = action_ids(reply.buttons)
    for start in range(0, len(reply.buttons), 25):
        elements = [
            _button(b, i) for b, i in zip(reply.buttons[start:], ids[start : start + 25], strict=False)
        ]
        blocks.append({"type": "actions", "block_id": f"actions-{start // 25}", "elements": elements})
    return blocks


def fallback_text(reply: Reply) -> str:
    """The `text` of a message: what notifications and screen readers show."""
    head = " ".join(p for p in (mention_line(reply), escape(reply.title or "")) if p)
    body = escape(reply.text)
    text = f"{head}: {body}" if head and body else head or body
    return _cut(text, 3000) or " "


def to_message(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / chat.update / chat.postEphemeral; a reply's marker rides
    in the message metadata (see `MARKER_EVENT`)."""
    content: dict[str, Any] = {"text": fallback_text(reply), "blocks": to_blocks(reply)}
    if reply.marker:
        content["metadata"] = {"event_type": MARKER_EVENT, "event_payload": {"marker": reply.marker}}
    return content


# The message-metadata event type of a Reply's marker (conversations.history finds it again).
MARKER_EVENT = "supportbot_marker"


def marker_of(message: dict[str, Any]) -> str | None:
    """The marker a message carries in its metadata (as conversations.history returns it), if any."""
    metadata = message.get("metadata") or {}
    if not isinstance(metadata, dict) or metadata.get("event_type") != MARKER_EVENT:
        return None
    marker = (metadata.get("event_payload") or {}).get("marker")
    return str(marker) if marker else None


def to_home(reply: Reply) -> Block:
    return {"type": "home", "blocks": to_blocks(reply)}


def _input(field: Input) -> Block:
    element: Block
    if field.kind in (InputKind.TEXT, InputKind.MULTILINE):
        element = {"type": "plain_text_input", "max_length": field.max_length}
        if field.kind is InputKind.MULTILINE:
            element["multiline"] = True
        if field.initial:
            element["initial_value"] = field.initial[: field.max_length]
    elif field.kind is InputKind.SELECT:
        options = [
            {"text": _plain(o.label, OPTION_LIMIT), "value": o.value[:150]} for o in field.options[:100]
        ]
        element = {"type": "static_select", "options": options}
        initial = next((o for o in options if o["value"] == field.initial), None)
        if initial:
            element["initial_option"] = initial
    else:
        element = {"type": "users_select"}
        if field.initial:
            element["initial_user"] = field.initial
    element["action_id"] = field.name
    if field.placeholder and field.kind is not InputKind.USER:
        element["placeholder"] = _plain(field.placeholder, 150)
    return {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label, 2000),
        "optional": not field.required,
        "element": element,
    }


def to_modal(form: Form, *, metadata: dict[str, str] | None = None, close: str = "") -> Block:
    """A modal for `form`; `form.context` plus `metadata` round-trip in private_metadata (max 3000 chars)."""
    blocks: list[Block] = []
    if form.intro:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(mrkdwn(form.intro), SECTION_LIMIT)}}
        )
    blocks += [_input(field) for field in form.inputs]
    view: Block = {
        "type": "modal",
        "callback_id": form.id.value,
        "title": _plain(form.title, TITLE_LIMIT),
        "submit": _plain(form.submit, TITLE_LIMIT),
        "private_metadata": json.dumps({**form.context, **(metadata or {})}, ensure_ascii=False)[:3000],
        "blocks": blocks,
    }
    if close or form.cancel:
        view["close"] = _plain(close or form.cancel, TITLE_LIMIT)
    return view


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """The submitted values of a modal by input name (empty string when not filled)."""
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        for state in actions.values():
            if "selected_option" in state:
                values[block_id] = (state["selected_option"] or {}).get("value", "")
            elif "selected_user" in state:
                values[block_id] = state["selected_user"] or ""
            else:
                values[block_id] = state.get("value") or ""
    return values


def metadata(view: dict[str, Any]) -> dict[str, str]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def input_names(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
