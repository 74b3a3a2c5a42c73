"""Escalate, ping the on-duty coordinators, claim (button, thread reply, reaction) and work the case."""

from __future__ import annotations

import copy

import pytest

from bot.i18n import t
from bot.models import CaseId
from playground.records import Message
from tests.adapters.slack.rig import (
    AMY,
    IVANA,
    JAN,
    KASIA,
    MARIA,
    OLA,
    OLENA,
    PL_CHANNEL,
    TOM,
    Rig,
    block_text,
    mrkdwn_texts,
)

SUMMARY = "Customer wants a refund for a broken TV"


async def escalate(rig: Rig, user: str = KASIA, summary: str = SUMMARY, **values: str) -> Message:
    """/escalate, fill in the modal, submit; returns the case card posted to the coordinators channel."""
    await rig.command(user, "/escalate", summary)
    delivered = await rig.submit(user, {"details": "Bought in March", **values})
    assert delivered.body is None, delivered.body  # no field errors: the modal closes
    cards = rig.cards()
    assert cards, "no card posted"
    return cards[-1]


def buttons(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def card_now(rig: Rig, card: Message) -> Message:
    return rig.ws.message(card.channel, card.ts)


async def test_escalate_opens_a_prefilled_modal_in_the_requesters_language_and_region(rig: Rig) -> None:
    await rig.command(KASIA, "/escalate", "Klient chce zwrotu")

    modal = rig.last_view(KASIA).view
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["summary"]["initial_value"] == "Klient chce zwrotu"
    assert inputs["region"]["initial_option"]["value"] == "PL"
    assert modal["title"]["text"] == t("pl", "form.escalate.title")[:24]


async def test_submit_posts_one_card_and_one_ping_naming_exactly_the_on_duty_coordinator(rig: Rig) -> None:
    card = await escalate(rig)

    assert SUMMARY in block_text(card.blocks)
    assert buttons(card) == ["case.claim", "case.details"]
    pings = rig.ws.thread(card.channel, card.ts)
    assert len(pings) == 1
    assert pings[0].blocks[0]["text"]["text"] == f"<@{JAN}>"  # on duty in PL on Monday 23 Nov 2026
    confirmation = rig.ephemeral_texts(KASIA)
    assert any("CS-1" in text for text in confirmation)


async def test_invalid_summary_is_shown_on_its_field_and_nothing_is_created(rig: Rig) -> None:
    await rig.command(KASIA, "/escalate", "TV")
    delivered = await rig.submit(KASIA)

    assert delivered.body == {
        "response_action": "errors",
        "errors": {"summary": t("pl", "invalid.summary_short")},
    }
    assert rig.last_view(KASIA).errors == delivered.body["errors"]
    assert rig.cards() == []


async def test_a_retried_submission_creates_the_case_once(rig: Rig) -> None:
    await rig.command(KASIA, "/escalate", SUMMARY)
    payload = rig.ws.submit(KASIA, rig.last_view(KASIA).id)
    await rig.deliver(payload)
    await rig.deliver(payload, retry_num=1)

    assert len(rig.cards()) == 1
    assert len(await rig.services.store.active_cases()) == 1


async def test_claim_button_updates_the_card_records_it_in_the_thread_and_tells_the_requester(
    rig: Rig,
) -> None:
    card = await escalate(rig)

    await rig.click(JAN, card, "case.claim")

    updated = card_now(rig, card)
    assert buttons(updated) == [
        "case.resolve",
        "case.release",
        "case.reassign",
        "case.escalate_up",
        "case.details",
    ]
    assert "Jan Kowalski" in block_text(updated.blocks)
    assert len(rig.cards()) == 1  # updated in place
    assert "Jan Kowalski" in rig.thread_texts(card)[-1]
    requester_dm = rig.ws.history(rig.dm(KASIA))
    assert any("Jan Kowalski" in m.text for m in requester_dm)


async def test_second_claimer_is_told_privately_who_has_it(rig: Rig) -> None:
    card = await escalate(rig)
    seen_by_ola = copy.deepcopy(card)  # both saw the card with its Claim button
    await rig.click(JAN, card, "case.claim")

    await rig.click(OLA, seen_by_ola, "case.claim")

    assert rig.ephemeral_texts(OLA) == [t("pl", "error.already_claimed", case="CS-1", name="Jan Kowalski")]
    case = await rig.services.desk.case(CaseId(1))
    assert case.assignee == "jan"


async def test_a_rep_cannot_claim(rig: Rig) -> None:
    card = await escalate(rig)

    await rig.click(AMY, card, "case.claim")

    assert rig.ephemeral_texts(AMY) == [t("en", "error.not_allowed.role")]
    assert (await rig.services.desk.case(CaseId(1))).status.value == "open"


@pytest.mark.parametrize(
    ("user", "text"),
    [(JAN, "claim"), (OLA, "Biorę!"), (OLENA, "беру"), (IVANA, "preuzimam"), (TOM, "I'll take it")],
)
async def test_claim_by_thread_reply_in_each_language(rig: Rig, user: str, text: str) -> None:
    card = await escalate(rig)

    await rig.say(user, card.channel, text, thread_ts=card.ts)

    assert buttons(card_now(rig, card))[0] == "case.resolve"
    case = await rig.services.desk.case(CaseId(1))
    assert case.assignee == rig.ws.users[user].name


async def test_eyes_reaction_on_the_card_claims_it(rig: Rig) -> None:
    card = await escalate(rig)

    await rig.deliver(rig.ws.react(JAN, card.channel, card.ts, "eyes"))

    assert (await rig.services.desk.case(CaseId(1))).assignee == "jan"


async def test_resolve_asks_for_a_note_then_closes_and_tells_the_requester(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")

    await rig.click(JAN, card_now(rig, card), "case.resolve")
    empty = await rig.submit(JAN, {"note": ""})
    assert empty.body["response_action"] == "errors"
    await rig.submit(JAN, {"note": "Refunded to card"})

    assert buttons(card_now(rig, card)) == ["case.reopen", "case.details"]
    assert any("Refunded to card" in m.text for m in rig.ws.history(rig.dm(KASIA)))


async def test_requester_reopens_a_resolved_case_from_the_thread(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")
    await rig.say(JAN, card.channel, "resolve: refunded", thread_ts=card.ts)
    assert (await rig.services.desk.case(CaseId(1))).status.value == "claimed"
    await rig.click(JAN, rig.ws.ephemerals_for(JAN)[-1], "thread.confirm")
    assert (await rig.services.desk.case(CaseId(1))).status.value == "resolved"

    await rig.say(KASIA, card.channel, "otwórz ponownie, klient dzwoni znowu", thread_ts=card.ts)
    await rig.click(KASIA, rig.ws.ephemerals_for(KASIA)[-1], "thread.confirm")

    case = await rig.services.desk.case(CaseId(1))
    assert (case.status.value, case.assignee) == ("claimed", "jan")


async def test_release_puts_it_back_and_pings_again(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")
    pings_before = len(rig.ws.thread(card.channel, card.ts))

    await rig.click(JAN, card_now(rig, card), "case.release")

    assert buttons(card_now(rig, card)) == ["case.claim", "case.details"]
    new = rig.ws.thread(card.channel, card.ts)[pings_before:]
    assert any(m.blocks and m.blocks[0]["text"]["text"] == f"<@{JAN}>" for m in new)


async def test_reassign_through_the_modal_with_a_user_picker(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")

    await rig.click(JAN, card_now(rig, card), "case.reassign")
    refused = await rig.submit(JAN, {"assignee": KASIA})
    assert list(refused.body["errors"]) == ["assignee"]
    await rig.submit(JAN, {"assignee": OLA})

    assert (await rig.services.desk.case(CaseId(1))).assignee == "ola"
    assert any("CS-1" in m.text for m in rig.ws.history(rig.dm(OLA)))


async def test_escalate_up_pings_the_supervisor_in_the_thread(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")

    await rig.click(JAN, card_now(rig, card), "case.escalate_up")

    assert f"<@{MARIA}>" in block_text(rig.ws.thread(card.channel, card.ts)[-1].blocks)


async def test_unclaimed_case_is_pinged_again_with_the_backup_after_five_minutes(rig: Rig) -> None:
    card = await escalate(rig)

    rig.clock.advance(minutes=5, seconds=1)
    await rig.settle()

    pings = rig.ws.thread(card.channel, card.ts)
    assert len(pings) == 2
    assert pings[1].blocks[0]["text"]["text"] == f"<@{JAN}> <@{IVANA}>"


async def test_user_text_cannot_ping_or_link_anyone(rig: Rig) -> None:
    card = await escalate(rig, summary="<!channel> call <@U0MARIA> now <https://evil.example|bank>")

    assert card.blocks[0]["text"]["text"].startswith("CS-1 · <!channel> call")  # plain text: shown as typed
    for markup in [card.text, *mrkdwn_texts(card.blocks)]:
        assert "<!channel>" not in markup
        assert "<@U0MARIA>" not in markup
        assert "<https://evil" not in markup
    assert "&lt;!channel&gt;" in card.text


async def test_case_queue_and_details_are_private(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.command(JAN, "/cases")
    await rig.click(OLA, card, "case.details")

    assert any(SUMMARY in block_text(e.blocks) for e in rig.ws.ephemerals_for(JAN))
    assert rig.ws.ephemerals_for(OLA)
    assert len(rig.ws.history(PL_CHANNEL)) == 1
