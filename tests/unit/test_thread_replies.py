"""What a thread reply does at the desk: nothing for talk, claim at once, a confirmation for the rest;
a confirmation or an Undo acts once, for its writer, on the case as it was."""

from __future__ import annotations

import pytest

from bot.cases.desk import SupportDesk
from bot.errors import InvalidInput, NotAllowed, StaleConfirmation
from bot.models import Actor, CaseId, CaseStatus, Identity, Platform
from bot.replies import Action
from bot.thread_replies import confirm, on_thread_reply
from bot.thread_undo import undo


def person(desk: SupportDesk, slack_id: str) -> Actor:
    return desk.actor(Identity(Platform.SLACK, slack_id))


async def new_case(desk: SupportDesk) -> CaseId:
    kasia = person(desk, "U0KASIA")
    values = {"summary": "Klient chce zwrotu", "region": "PL", "category": "other"}
    return (await desk.escalate(kasia, values, client_key="k1")).case.id


async def test_talk_changes_nothing_and_says_nothing(desk: SupportDesk) -> None:
    case_id = await new_case(desk)
    jan = person(desk, "U0JAN")

    outcome = await on_thread_reply(desk, jan, case_id, "zamknij temat z kurierem i daj znać")

    assert (outcome.private, outcome.public, outcome.acted) == (None, None, False)
    assert [e.kind.value for e in await desk.store.events_of(case_id)] == ["escalated"]


async def test_claim_acts_at_once_and_offers_undo(desk: SupportDesk) -> None:
    case_id = await new_case(desk)
    jan = person(desk, "U0JAN")

    outcome = await on_thread_reply(desk, jan, case_id, "biorę")

    assert outcome.acted and outcome.private is not None
    assert [b.action for b in outcome.private.buttons] == [Action.UNDO]
    assert (await desk.case(case_id)).assignee == "jan"
    with pytest.raises(NotAllowed):
        await undo(desk, person(desk, "U0OLA"), outcome.private.buttons[0].value)
    await undo(desk, jan, outcome.private.buttons[0].value)
    assert (await desk.case(case_id)).status is CaseStatus.OPEN


async def test_a_confirmation_acts_once_and_only_for_its_writer(desk: SupportDesk) -> None:
    case_id = await new_case(desk)
    jan = person(desk, "U0JAN")
    await desk.claim(jan, case_id)

    outcome = await on_thread_reply(desk, jan, case_id, "resolve: refunded")
    assert outcome.private is not None and not outcome.acted
    value = outcome.private.buttons[0].value
    assert (await desk.case(case_id)).status is CaseStatus.CLAIMED

    with pytest.raises(NotAllowed):
        await confirm(desk, person(desk, "U0OLA"), value)
    await confirm(desk, jan, value)
    assert (await desk.case(case_id)).resolution == "refunded"
    with pytest.raises(StaleConfirmation):
        await confirm(desk, jan, value)


@pytest.mark.parametrize(
    "value", ["", "{}", "not json", '{"c":1,"v":"claim","n":"","t":null,"p":"jan","f":0}']
)
async def test_a_tampered_or_non_destructive_confirmation_is_refused(desk: SupportDesk, value: str) -> None:
    with pytest.raises(InvalidInput):
        await confirm(desk, person(desk, "U0JAN"), value)


async def test_a_note_names_the_people_it_mentions(desk: SupportDesk) -> None:
    case_id = await new_case(desk)
    jan = person(desk, "U0JAN")
    await desk.claim(jan, case_id)

    await on_thread_reply(
        desk,
        jan,
        case_id,
        "note: @U0OLA knows her, mail jan@shop.pl",
        mentions=(desk.actor(Identity(Platform.SLACK, "U0OLA")).id,),
    )

    notes = [e.note for e in await desk.store.events_of(case_id) if e.kind.value == "note"]
    assert notes == ["@Ola Wiśniewska knows her, mail jan@shop.pl"]
