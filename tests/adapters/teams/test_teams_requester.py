"""The requester's side and the hand-offs over the real Teams handler: `cases` in the personal chat,
requester DMs with their actions and the thread link, reopen typed in the chat, reassign refused outside
the region, escalate-up reason, votes that replace the feedback buttons."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.models import CaseId, CaseStatus, EventKind
from tests.adapters.teams.conftest import Teams
from tests.adapters.teams.test_teams_flows import open_case, texts_of, verbs_of

KASIA_CHAT = "a:personal-kasia"


def to_kasia(teams: Teams) -> list[dict[str, Any]]:
    return [c.card for c in teams.connector.of("send") if c.conversation == KASIA_CHAT]


async def test_cases_in_the_personal_chat_lists_the_requests_she_raised(teams: Teams) -> None:
    thread, _ = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread)
    await teams.drain()

    await teams.say("cases")

    listing = teams.connector.of("reply")[-1]
    text = " ".join(listing.texts)
    assert t("pl", "queue.requests_title", n=1) in text
    assert "CS-1" in text and "Jan Kowalski" in text
    assert "https://teams.microsoft.com/l/message/" in text  # the number links to the case's thread


async def test_the_requester_is_told_of_each_change_with_what_she_may_do(teams: Teams) -> None:
    thread, _ = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread)
    await teams.drain()

    claimed = to_kasia(teams)[-1]
    assert [a.get("verb") for a in claimed["actions"]][:1] == ["case.note"]
    assert claimed["actions"][-1]["type"] == "Action.OpenUrl"

    await teams.click("case.release", {"value": "1"}, user="jan", conversation=thread)
    await teams.drain()
    released = to_kasia(teams)[-1]
    assert [a.get("verb") for a in released["actions"]][:2] == ["case.note", "case.cancel"]

    body = await teams.click("case.cancel", {"value": "1"}, user="kasia", conversation=KASIA_CHAT)
    assert verbs_of(body) == [""]  # only the thread link is left
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.status is CaseStatus.CANCELLED


async def test_reopen_typed_in_the_personal_chat_reopens_the_case(teams: Teams) -> None:
    thread, _ = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread)
    form = await teams.click("case.resolve", {"value": "1"}, user="jan", conversation=thread)
    context = form["value"]["actions"][0]["data"]
    await teams.click("form.resolve", {**context, "note": "Zwrot wykonany"}, user="jan", conversation=thread)

    await teams.say("otwórz ponownie CS-1")

    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.status is CaseStatus.CLAIMED
    assert "CS-1" in " ".join(teams.connector.of("reply")[-1].texts)


async def test_reassign_outside_the_region_is_refused_on_the_form(teams: Teams) -> None:
    thread, _ = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread)
    form = await teams.click("case.reassign", {"value": "1"}, user="jan", conversation=thread)
    choices = next(i for i in form["value"]["body"] if i["type"] == "Input.ChoiceSet")["choices"]
    assert sorted(c["value"] for c in choices) == ["ivana", "maria", "ola"]
    context = form["value"]["actions"][0]["data"]

    again = await teams.click(
        "form.reassign", {**context, "assignee": "olena"}, user="jan", conversation=thread
    )

    assert t("pl", "invalid.not_in_region", name="Olena Kovalenko", region="PL") in texts_of(again)
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "jan"


async def test_escalate_up_asks_for_a_reason_and_records_it(teams: Teams) -> None:
    thread, _ = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread)
    form = await teams.click("case.escalate_up", {"value": "1"}, user="jan", conversation=thread)
    assert form["value"]["actions"][0]["verb"] == "form.escalate_up"
    context = form["value"]["actions"][0]["data"]

    body = await teams.click(
        "form.escalate_up", {**context, "note": "Klient grozi sądem"}, user="jan", conversation=thread
    )

    assert "case.escalate_up" not in verbs_of(body)
    events = await teams.services.store.events_of(CaseId(1))
    assert (events[-1].kind, events[-1].note) == (EventKind.ESCALATED_UP, "Klient grozi sądem")


async def test_a_vote_replaces_the_feedback_buttons(teams: Teams) -> None:
    await teams.say("czy klient może zwrócić towar bez paragonu?")
    (answer,) = teams.connector.of("reply")
    value = next(a["data"]["value"] for a in answer.card["actions"] if a["verb"] == "kb.helpful")

    body = await teams.click("kb.helpful", {"value": value}, user="kasia", conversation=KASIA_CHAT)

    assert t("pl", "answer.voted_helpful") in texts_of(body)
    assert "kb.helpful" not in verbs_of(body) and "kb.not_helpful" in verbs_of(body)
    assert len(teams.connector.of("reply")) == 1  # no extra "thanks" message
