"""Teams: thread replies in a case's channel thread; destructive commands are confirmed in the writer's
1:1 chat (a card only they see), and only Confirm acts."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.models import CaseId, CaseStatus
from tests.adapters.teams.conftest import Teams
from tests.adapters.teams.test_teams_flows import open_case
from tests.fakes.fake_bot_connector import Call


def confirmations(teams: Teams) -> list[Call]:
    return [
        c
        for c in teams.connector.calls
        if c.body.get("attachments")
        and any(a.get("verb") == "thread.confirm" for a in c.card.get("actions", []))
    ]


def action_data(call: Call, verb: str) -> dict[str, Any]:
    data: dict[str, Any] = next(a for a in call.card["actions"] if a.get("verb") == verb)["data"]
    return data


async def claimed_by_ola(teams: Teams) -> str:
    await teams.say("dzień dobry", user="ola")  # Ola's 1:1 chat with the bot exists
    thread, _ = await open_case(teams)
    await teams.say_in_thread("biorę", thread=thread, user="ola")
    await teams.drain()
    return thread


async def test_resolve_in_the_thread_is_confirmed_privately_then_done(teams: Teams) -> None:
    thread = await claimed_by_ola(teams)

    await teams.say_in_thread("rozwiązane: zwrot wykonany", thread=thread, user="ola")

    (prompt,) = confirmations(teams)
    assert prompt.conversation == "a:personal-ola"  # not in the channel
    assert t("pl", "confirm.resolve", case="CS-1") in prompt.texts
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.status is CaseStatus.CLAIMED  # nothing happened yet

    done = await teams.click(
        "thread.confirm", action_data(prompt, "thread.confirm"), user="ola", conversation="a:personal-ola"
    )

    assert t("pl", "confirm.done.resolve", case="CS-1") in str(done)
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.status is CaseStatus.RESOLVED and case.resolution == "zwrot wykonany"


async def test_cancel_on_the_confirmation_changes_nothing(teams: Teams) -> None:
    thread = await claimed_by_ola(teams)
    await teams.say_in_thread("zwalniam", thread=thread, user="ola")
    (prompt,) = confirmations(teams)

    body = await teams.click(
        "thread.dismiss", action_data(prompt, "thread.dismiss"), user="ola", conversation="a:personal-ola"
    )

    assert t("pl", "confirm.dismissed", case="CS-1") in str(body)
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and (case.status, case.assignee) == (CaseStatus.CLAIMED, "ola")


async def test_a_second_confirm_does_not_act_again(teams: Teams) -> None:
    thread = await claimed_by_ola(teams)
    await teams.say_in_thread("zwalniam", thread=thread, user="ola")
    (prompt,) = confirmations(teams)
    data = action_data(prompt, "thread.confirm")
    await teams.click("thread.confirm", data, user="ola", conversation="a:personal-ola")
    await teams.say_in_thread("biorę", thread=thread, user="jan")

    again = await teams.click("thread.confirm", data, user="ola", conversation="a:personal-ola")

    assert t("pl", "error.stale_confirmation", case="CS-1") in str(again)
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "jan"


async def test_talk_in_the_thread_changes_nothing_and_a_question_to_the_bot_is_answered(teams: Teams) -> None:
    thread = await claimed_by_ola(teams)
    before = len(teams.connector.calls)

    await teams.say_in_thread("zamknij temat z kurierem i daj znać", thread=thread, user="ola")
    await teams.say_in_thread("czy klient może zwrócić towar bez paragonu?", thread=thread, user="ola")

    assert confirmations(teams) == []
    answers = teams.connector.calls[before:]
    assert all(a.conversation == thread for a in answers)  # answered in the thread, like a DM question
    assert any(a.get("verb") == "kb.helpful" for a in answers[-1].card["actions"])
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and (case.status, case.assignee) == (CaseStatus.CLAIMED, "ola")


async def test_reassign_names_the_mentioned_person_and_hands_over_on_confirm(teams: Teams) -> None:
    thread = await claimed_by_ola(teams)
    activity = teams.activity("message_channel_mention", user="ola")
    activity["conversation"]["id"] = thread
    activity["text"] = "<at>Support Coordinator</at> przekaż <at>Jan Kowalski</at>, zna klientkę"
    activity["entities"] = [
        *activity["entities"],
        {
            "type": "mention",
            "text": "<at>Jan Kowalski</at>",
            "mentioned": {"id": "29:jan", "name": "Jan Kowalski"},
        },
    ]
    await teams.post(activity)

    (prompt,) = confirmations(teams)
    assert t("pl", "confirm.reassign", case="CS-1", to="Jan Kowalski") in prompt.texts
    await teams.click(
        "thread.confirm", action_data(prompt, "thread.confirm"), user="ola", conversation="a:personal-ola"
    )
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "jan"
