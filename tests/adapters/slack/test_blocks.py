"""Block Kit rendering: golden JSON for each kind of reply and form (tests/golden.py: UPDATE_GOLDEN=1
refreshes them), and escaping of user text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.cases.views import case_card, escalate_form, reassign_form
from bot.config import Config
from bot.directory import Directory
from bot.models import Case, CaseId, CaseStatus, PersonId, Platform, Priority
from bot.replies import Action, Button, Field, Form, FormId, Input, InputKind, Mention, Option, Reply, Style
from handlers.slack import blocks
from tests.golden import assert_golden

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def case(**changes: Any) -> Case:
    values: dict[str, Any] = {
        "id": CaseId(42),
        "summary": "Refund for a broken TV",
        "details": "Bought in March",
        "customer_ref": "ORD-1",
        "priority": Priority.HIGH,
        "category": "refunds",
        "region": "PL",
        "language": "pl",
        "status": CaseStatus.OPEN,
        "requester": PersonId("kasia"),
        "origin": Platform.SLACK,
        "created_at": NOW - timedelta(minutes=12),
    }
    return Case(**(values | changes))


def test_open_case_card(config: Config) -> None:
    reply = case_card(case(), directory=Directory(config), lang="pl", now=NOW)
    assert_golden(Platform.SLACK, "case_card_open", blocks.to_message(reply))


def test_claimed_case_card(config: Config) -> None:
    claimed = case(status=CaseStatus.CLAIMED, assignee=PersonId("jan"), claimed_at=NOW)
    assert_golden(
        Platform.SLACK,
        "case_card_claimed",
        blocks.to_message(case_card(claimed, directory=Directory(config), lang="en", now=NOW)),
    )


def test_ping_with_mentions_and_channel_alert() -> None:
    reply = Reply(
        text="New case CS-42 (high), 12 min old.",
        mentions=(
            Mention("Jan", ((Platform.SLACK, "U0JAN"),)),
            Mention("Teams only", ((Platform.TEAMS, "29:x"),)),
        ),
        channel_alert=True,
        context=("Nobody is on duty: pinging the backup.",),
    )
    assert_golden(Platform.SLACK, "ping", blocks.to_message(reply))


def test_answer_with_markdown_and_repeated_suggestion_buttons() -> None:
    reply = Reply(
        title="Returns without a receipt",
        text="# Rule\nWe offer **an exchange** only.\n- ID needed\n- max 3 a year\nSee [the policy](https://intranet.example/returns?a=1&b=2).",
        context=("Was this helpful?",),
        link=("Whole article", "https://intranet.example/kb/returns"),
        buttons=(
            Button(Action.SHOW_ARTICLE, "Exchanges", "exchanges:en"),
            Button(Action.SHOW_ARTICLE, "Refunds", "refunds:en"),
            Button(Action.HELPFUL, "Yes", "7", Style.PRIMARY),
            Button(Action.ESCALATE_QUESTION, "Escalate this", "7", Style.DANGER),
        ),
    )
    assert_golden(Platform.SLACK, "answer", blocks.to_message(reply))


def test_escalate_modal(config: Config) -> None:
    form = escalate_form("en", config=config, region="UK", summary="TV <!channel>", details="line 1\nline 2")
    assert_golden(Platform.SLACK, "modal_escalate", blocks.to_modal(form, metadata={"channel": "C1"}))


def test_reassign_modal_offers_a_pick_among_the_regions_coordinators(config: Config) -> None:
    form = reassign_form(case(), "hr", candidates=[Option("ola", "Ola")])
    assert_golden(
        Platform.SLACK, "modal_reassign", blocks.to_modal(form, metadata={"channel": "", "case": "42"})
    )


@pytest.mark.parametrize(
    "text",
    ["<!channel> please", "hi <@U123>", "<https://evil.example|your bank>", "<!here|here>", "a & b > c"],
)
def test_user_text_is_escaped_everywhere_it_is_mrkdwn(text: str) -> None:
    reply = Reply(
        text=text,
        title=text,
        fields=(Field(text, text),),
        context=(text,),
        buttons=(Button(Action.CLAIM, text, text),),
    )
    rendered = blocks.to_message(reply)

    mrkdwn = [rendered["text"]]
    for block in rendered["blocks"]:
        for item in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(item, dict) and item.get("type") == "mrkdwn":
                mrkdwn.append(item["text"])
    for piece in mrkdwn:
        assert "<!" not in piece and "<@" not in piece and "<http" not in piece
        assert "&lt;" in piece or "<" not in text
        assert " & " not in piece


def test_long_text_is_split_into_sections_that_fit() -> None:
    paragraph = "word " * 500
    rendered = blocks.to_blocks(Reply(text="\n".join([paragraph] * 4)))
    assert len(rendered) > 1
    assert all(len(b["text"]["text"]) <= blocks.SECTION_LIMIT for b in rendered)


def test_modal_values_come_back_by_input_name() -> None:
    form = Form(
        FormId.NOTE,
        "Note",
        "Save",
        (
            Input("note", "Note", InputKind.MULTILINE),
            Input("who", "Who", InputKind.USER),
            Input("p", "P", InputKind.SELECT),
        ),
    )
    view = blocks.to_modal(form)
    view["state"] = {
        "values": {
            "note": {"note": {"type": "plain_text_input", "value": "hello"}},
            "who": {"who": {"type": "users_select", "selected_user": "U0OLA"}},
            "p": {"p": {"type": "static_select", "selected_option": None}},
        }
    }
    assert blocks.form_values(view) == {"note": "hello", "who": "U0OLA", "p": ""}


DISGUISED = (
    "[Reset your password](https://evil.example/login)",
    "<https://evil.example/login|Reset your password>",
)


@pytest.mark.parametrize("text", DISGUISED)
def test_a_link_in_user_text_shows_its_url_not_a_label(config: Config, text: str) -> None:
    card = case_card(case(summary=text, details=text), directory=Directory(config), lang="en", now=NOW)
    notice = Reply(text=f"Note: {text}", context=(text,))
    for reply in (card, notice):
        rendered = blocks.to_message(reply)
        marked_up = [
            item["text"]
            for block in rendered["blocks"]
            for item in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]
            if isinstance(item, dict) and item.get("type") == "mrkdwn" and "evil" in item["text"]
        ]
        assert marked_up
        for piece in marked_up:
            assert "https://evil.example/login" in piece  # the URL itself is shown
            assert "<https://evil.example/login|" not in piece  # never a link labelled otherwise
