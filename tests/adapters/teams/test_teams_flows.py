"""Teams end to end: questions, escalation, the case card in the coordinators channel, claims and case work."""

from __future__ import annotations

from typing import Any

from bot.models import CaseId, CaseStatus
from tests.adapters.teams.conftest import CHANNEL, Teams
from tests.fakes.fake_bot_connector import Call

ESCALATION = {
    "summary": "Klient chce zwrotu bez paragonu",
    "details": "Paragon zgubiony, płatność kartą",
    "customer_ref": "ORD-991",
    "priority": "normal",
    "category": "returns",
    "region": "PL",
}


def texts_of(body: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if item.get("type") == "TextBlock":
                found.append(item["text"])
            walk(item.get("items", []))

    walk(body["value"].get("body", []))
    return found


def verbs_of(body: dict[str, Any]) -> list[str]:
    return [a.get("verb", "") for a in body["value"].get("actions", [])]


async def open_case(teams: Teams) -> tuple[str, Call]:
    """Kasia escalates from her personal chat; the worker posts the card. Returns the card's thread and post."""
    await teams.install_in_channel()
    await teams.say("escalate Klient chce zwrotu bez paragonu")
    body = await teams.click(
        "form.escalate", {"form_context": {}, **ESCALATION}, user="kasia", conversation="a:personal-kasia"
    )
    assert any("CS-1" in text for text in texts_of(body))
    await teams.drain()
    posts = [c for c in teams.connector.of("send") if c.conversation == CHANNEL]
    assert len(posts) == 1
    return f"{CHANNEL};messageid={posts[0].result_id}", posts[0]


async def test_policy_question_in_personal_chat_is_answered_with_a_card(teams: Teams) -> None:
    status, _ = await teams.say("czy klient może zwrócić towar bez paragonu?")

    assert status == 201
    (reply,) = teams.connector.of("reply")
    assert reply.conversation == "a:personal-kasia"
    verbs = [a["verb"] for a in reply.card["actions"]]
    assert verbs[-1] == "kb.escalate"
    assert "kb.show_article" in verbs
    assert "kb.helpful" in verbs


async def test_channel_message_without_a_mention_is_left_alone(teams: Teams) -> None:
    activity = teams.activity("message_channel_mention", user="jan", text="biorę", entities=[])

    status, _ = await teams.post(activity)

    assert status == 201
    assert teams.connector.calls == []


async def test_escalate_posts_the_card_and_pings_exactly_the_on_duty_coordinator(teams: Teams) -> None:
    thread, post = await open_case(teams)

    assert "CS-1" in post.texts[0]
    assert [a["verb"] for a in post.card["actions"]] == ["case.claim", "case.details"]
    pings = [c for c in teams.connector.of("send") if c.conversation == thread]
    assert len(pings) == 1
    assert pings[0].mentioned == ["29:jan"]  # Monday 23 Nov 2026, 11:00 in Warsaw: Jan's day on the PL rota
    assert "<at>Jan Kowalski</at>" in pings[0].texts[0]


async def test_escalate_command_answers_with_a_prefilled_form(teams: Teams) -> None:
    await teams.say("escalate Klient chce zwrotu")

    (reply,) = teams.connector.of("reply")
    inputs = {item["id"]: item for item in reply.card["body"] if item["type"].startswith("Input.")}
    assert inputs["summary"]["value"] == "Klient chce zwrotu"
    assert inputs["region"]["value"] == "PL"
    assert reply.card["actions"][0]["verb"] == "form.escalate"


async def test_invalid_escalation_shows_the_form_again_with_the_error(teams: Teams) -> None:
    values = {**ESCALATION, "summary": "ab"}
    body = await teams.click(
        "form.escalate", {"form_context": {}, **values}, user="kasia", conversation="a:personal-kasia"
    )

    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    inputs = {i["id"]: i for i in body["value"]["body"] if i["type"].startswith("Input.")}
    assert inputs["summary"]["value"] == "ab"
    assert any(item.get("color") == "Attention" for item in body["value"]["body"])
    assert await teams.services.store.case(CaseId(1)) is None


async def test_claim_from_the_card_updates_it_for_everyone_and_tells_the_requester(teams: Teams) -> None:
    thread, post = await open_case(teams)
    teams.connector.clear()

    body = await teams.click(
        "case.claim", {"value": "1"}, user="jan", conversation=thread, reply_to=post.result_id
    )
    await teams.drain()

    assert "case.resolve" in verbs_of(body)
    (update,) = teams.connector.of("update")
    assert update.activity_id == post.result_id
    assert "case.resolve" in [a["verb"] for a in update.card["actions"]]
    in_thread = [c for c in teams.connector.of("send") if c.conversation == thread]
    assert len(in_thread) == 1
    to_kasia = [c for c in teams.connector.of("send") if c.conversation == "a:personal-kasia"]
    assert len(to_kasia) == 1
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "jan"


async def test_second_claimer_is_told_privately_and_does_not_take_the_case(teams: Teams) -> None:
    thread, post = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread, reply_to=post.result_id)

    body = await teams.click(
        "case.claim", {"value": "1"}, user="ola", conversation=thread, reply_to=post.result_id
    )

    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "Jan Kowalski" in body["value"]
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "jan"


async def test_a_rep_cannot_claim(teams: Teams) -> None:
    thread, post = await open_case(teams)

    body = await teams.click(
        "case.claim", {"value": "1"}, user="kasia", conversation=thread, reply_to=post.result_id
    )

    assert body["type"] == "application/vnd.microsoft.activity.message"
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.status is CaseStatus.OPEN


async def test_claim_by_thread_reply_in_polish(teams: Teams) -> None:
    thread, _ = await open_case(teams)

    status, _ = await teams.say_in_thread("biorę", thread=thread, user="ola")
    await teams.drain()

    assert status == 201
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "ola"
    assert len(teams.connector.of("update")) == 1


async def test_resolve_needs_a_note_then_closes_the_case(teams: Teams) -> None:
    thread, post = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread, reply_to=post.result_id)

    form = await teams.click("case.resolve", {"value": "1"}, user="jan", conversation=thread)
    assert verbs_of(form) == ["form.resolve"]
    context = form["value"]["actions"][0]["data"]
    empty = await teams.click("form.resolve", {**context, "note": "  "}, user="jan", conversation=thread)
    assert any(item.get("color") == "Attention" for item in empty["value"]["body"])
    done = await teams.click(
        "form.resolve", {**context, "note": "Zwrot na kartę"}, user="jan", conversation=thread
    )

    assert "case.reopen" in verbs_of(done)
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.status is CaseStatus.RESOLVED and case.resolution == "Zwrot na kartę"


async def test_release_reassign_and_reopen(teams: Teams) -> None:
    thread, _ = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread)

    released = await teams.click("case.release", {"value": "1"}, user="jan", conversation=thread)
    assert verbs_of(released)[0] == "case.claim"

    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread)
    form = await teams.click("case.reassign", {"value": "1"}, user="jan", conversation=thread)
    choices = next(i for i in form["value"]["body"] if i["type"] == "Input.ChoiceSet")["choices"]
    assert "ola" in [c["value"] for c in choices]
    context = form["value"]["actions"][0]["data"]
    await teams.click("form.reassign", {**context, "assignee": "ola"}, user="jan", conversation=thread)
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "ola"

    await teams.click("form.resolve", {"form_context": {"case": "1"}, "note": "zwrot wykonany"}, user="ola")
    reopened = await teams.click("case.reopen", {"value": "1"}, user="kasia", conversation=thread)

    assert "case.resolve" in verbs_of(reopened)
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.status is CaseStatus.CLAIMED and case.assignee == "ola"


async def test_the_same_activity_delivered_twice_is_handled_once(teams: Teams) -> None:
    activity = teams.activity("message_personal", text="czy klient może zwrócić towar bez paragonu?")

    await teams.post(activity)
    await teams.post(activity)

    assert len(teams.connector.of("reply")) == 1


async def test_a_redelivered_claim_claims_once_and_answers_with_the_card(teams: Teams) -> None:
    thread, _ = await open_case(teams)

    first = await teams.click(
        "case.claim", {"value": "1"}, user="jan", conversation=thread, activity_id="f:same"
    )
    again = await teams.click(
        "case.claim", {"value": "1"}, user="jan", conversation=thread, activity_id="f:same"
    )

    assert first["type"] == again["type"] == "application/vnd.microsoft.card.adaptive"
    events = await teams.services.store.events_of(CaseId(1))
    assert [e.kind.value for e in events].count("claimed") == 1


async def test_cases_and_oncall_commands(teams: Teams) -> None:
    await teams.say("oncall", user="jan")
    await teams.say("cases", user="jan")
    await teams.say("oncall cover", user="jan")

    first, second, third = teams.connector.of("reply")
    assert any("Jan Kowalski" in text for text in first.texts)
    assert second.card["body"][1]["type"] == "FactSet"
    assert "/oncall" in third.texts[0]  # the usage line


async def test_an_unexpected_failure_gets_an_apology_not_a_500(teams: Teams) -> None:
    body = await teams.click(
        "kb.helpful", {"value": "not-a-number"}, user="kasia", conversation="a:personal-kasia"
    )

    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"]  # the generic apology, in Kasia's language


async def test_personal_install_lets_the_bot_message_the_user_later(teams: Teams) -> None:
    activity = teams.activity("conversation_update_installed_in_team", user="jan")
    activity.update(type="installationUpdate", action="add")
    activity["conversation"] = {
        "conversationType": "personal",
        "tenantId": "tenant-1",
        "id": "a:personal-jan",
    }

    status, _ = await teams.post(activity)

    assert status in (200, 201)
    assert await teams.services.store.conversation("teams:user:29:jan") is not None


async def test_group_chat_mention_is_answered_in_the_chat(teams: Teams) -> None:
    activity = teams.activity(
        "message_channel_mention", user="kasia", text="<at>Support Coordinator</at> help"
    )
    activity["conversation"] = {
        "conversationType": "groupChat",
        "tenantId": "tenant-1",
        "id": "19:group@thread.v2",
    }

    await teams.post(activity)

    (reply,) = teams.connector.of("reply")
    assert reply.conversation == "19:group@thread.v2"
