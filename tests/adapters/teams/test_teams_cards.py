"""Reply and Form -> Adaptive Card JSON, compared with golden files (tests/golden.py: UPDATE_GOLDEN=1
refreshes them); escaping and mentions."""

from __future__ import annotations

import re

import pytest

from bot.models import Platform
from bot.replies import Action, Button, Field, Form, FormId, Input, InputKind, Mention, Option, Reply, Style
from handlers.teams.cards import escape, form_card, reply_card
from tests.golden import assert_golden

CASE_CARD = Reply(
    title="CS-42 · Refund without receipt",
    fields=(Field("Priority", "High"), Field("Region", "PL")),
    context=("Customer lost the receipt",),
    buttons=(
        Button(Action.CLAIM, "Claim", "42", Style.PRIMARY),
        Button(Action.ESCALATE_UP, "Escalate", "42", Style.DANGER),
        Button(Action.DETAILS, "Details", "42"),
    ),
    accent="#e8912d",
)
PING = Reply(
    text="New case CS-42 is waiting",
    mentions=(
        Mention("Jan Kowalski", ((Platform.SLACK, "U0JAN"), (Platform.TEAMS, "29:jan"))),
        Mention("Slack Only", ((Platform.SLACK, "U0X"),)),
    ),
    channel_alert=True,
)
FORM = Form(
    id=FormId.REASSIGN,
    title="Hand over",
    submit="Hand over",
    intro="CS-42 · Refund",
    inputs=(
        Input("assignee", "To", InputKind.USER, options=(Option("ola", "Ola"), Option("ivana", "Ivana"))),
        Input("note", "Why", InputKind.MULTILINE, required=False, placeholder="optional"),
    ),
    context={"case": "42"},
)


def test_case_card_matches_golden() -> None:
    assert_golden(Platform.TEAMS, "case_card", reply_card(CASE_CARD))


def test_ping_mentions_teams_accounts_and_the_channel() -> None:
    assert_golden(Platform.TEAMS, "ping", reply_card(PING, alert=("19:pl@thread.tacv2", "channel")))


def test_form_with_an_error_matches_golden() -> None:
    assert_golden(
        Platform.TEAMS,
        "reassign_form_error",
        form_card(FORM, values={"note": "busy"}, errors={"assignee": "Pick one"}),
    )


def test_channel_alert_without_a_channel_mentions_nobody_extra() -> None:
    card = reply_card(PING)

    assert [e["mentioned"]["id"] for e in card["msteams"]["entities"]] == ["29:jan"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<at>Jan Kowalski</at> please", "\\<at\\>Jan Kowalski\\</at\\> please"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"),
        ("# not a heading", "\\# not a heading"),
        ("- not a list\n1. nor this", "\\- not a list\n\n1\\. nor this"),
        ("plain words, 12.5 kg", "plain words, 12.5 kg"),
    ],
)
def test_user_text_is_escaped(text: str, shown: str) -> None:
    assert escape(text) == shown


def test_user_text_cannot_forge_a_mention() -> None:
    card = reply_card(Reply(title="<at>Maria</at>", text="<at>Jan Kowalski</at>"))

    assert "entities" not in card["msteams"]
    assert all("<at>" not in block.get("text", "") for block in card["body"])


@pytest.mark.parametrize(
    "text",
    ["[Reset your password](https://evil.example/login)", "<https://evil.example/login|Reset your password>"],
)
def test_a_link_in_user_text_shows_its_url_not_a_label(text: str) -> None:
    card = reply_card(Reply(title=text, text=text, fields=(Field("Summary", text),), context=(text,)))
    shown = [b["text"] for b in card["body"] if "text" in b]
    shown += [f["value"] for b in card["body"] for f in b.get("facts", [])]

    assert len(shown) == 4
    for piece in shown:
        assert "https://evil.example/login" in piece
        # A link that renders shows its own URL as its text: never a label over another address.
        links = re.findall(r"(?<!\\)\[([^\]]*)\]\(([^)]*)\)", piece)
        assert all(label == url for label, url in links), links
        assert not re.search(r"(?<!\\)<https", piece)
