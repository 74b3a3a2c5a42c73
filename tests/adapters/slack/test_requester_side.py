"""The requester's side and the hand-offs over the real Slack handler, in several languages: My requests
(/cases, App Home), a DM on every change with what the requester may do, DM commands, "Escalate this"
once per question, reassign within the region, take back, escalate-up reason, SLA state on the card."""

from __future__ import annotations

import copy

import pytest

from bot.i18n import t
from bot.models import CaseId, CaseStatus, EventKind
from playground.records import Message
from tests.adapters.slack.rig import IVANA, JAN, KASIA, OLA, OLENA, PETRO, Rig, block_text
from tests.adapters.slack.test_cases import buttons, card_now, escalate

UA_CHANNEL = "C0UACOORD"


def dm_messages(rig: Rig, user: str) -> list[Message]:
    return [m for m in rig.ws.history(rig.dm(user)) if m.user == rig.ws.bot_user_id]


def last_notice(rig: Rig, user: str, case: str) -> Message:
    """The latest status notice about `case` in `user`'s DM (the CSAT question after a resolution is apart)."""
    return next(
        m
        for m in reversed(dm_messages(rig, user))
        if m.blocks
        and case in block_text(m.blocks[:1])
        and not any(b.startswith("csat.") for b in buttons(m))
    )


async def test_cases_and_app_home_list_the_requests_a_rep_raised(rig: Rig) -> None:
    await escalate(rig, KASIA, "Zwrot telewizora bez paragonu")
    await escalate(rig, KASIA, "Reklamacja pralki po terminie")
    card = await escalate(rig, KASIA, "Klient czeka na kuriera od tygodnia")
    await rig.click(JAN, card, "case.claim")

    await rig.command(KASIA, "/cases")

    listing = rig.ephemeral_texts(KASIA)[-1]
    assert t("pl", "queue.requests_title", n=3) in listing
    assert "Moje (0)" not in listing
    (dm,) = [e for e in rig.ws.ephemerals_for(KASIA)][-1:]
    text = block_text(dm.blocks)
    assert "CS-3" in text and "Klient czeka na kuriera od tygodnia" in text
    assert t("pl", "case.status.claimed", name="Jan Kowalski") in text
    link = rig.ws.permalink(card.channel, card.ts)
    assert (
        f"CS-3 (<{link}>)" in text
    )  # the number links to the case's thread (the URL shown, never disguised)

    await rig.deliver(rig.ws.open_home(KASIA))
    home = block_text(rig.ws.homes[KASIA].view["blocks"])
    assert t("pl", "queue.requests_title", n=3) in home and "CS-1" in home


async def test_every_change_reaches_the_requester_with_the_actions_they_may_take(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")

    claimed = last_notice(rig, KASIA, "CS-1")
    assert t("pl", "notify.requester_claimed", name="Jan Kowalski", case="CS-1") in block_text(claimed.blocks)
    assert buttons(claimed) == ["case.note"]  # claimed: Add information only
    assert rig.ws.permalink(card.channel, card.ts) in str(claimed.blocks)

    await rig.click(JAN, card_now(rig, card), "case.release")
    released = last_notice(rig, KASIA, "CS-1")
    assert t("pl", "notify.requester_released", name="Jan Kowalski", case="CS-1") in block_text(
        released.blocks
    )
    assert buttons(released) == ["case.note", "case.cancel"]  # unclaimed again: Cancel too

    await rig.click(KASIA, released, "case.note")
    await rig.submit(KASIA, {"note": "Klient przesłał zdjęcia uszkodzenia"})
    thread = rig.ws.thread(card.channel, card.ts)
    assert "Klient przesłał zdjęcia uszkodzenia" in block_text(thread[-1].blocks)

    await rig.click(KASIA, released, "case.cancel")
    assert (await rig.services.desk.case(CaseId(1))).status is CaseStatus.CANCELLED
    assert buttons(rig.ws.message(released.channel, released.ts)) == []  # the DM now shows it cancelled


async def test_resolved_dm_offers_reopen_and_reopen_typed_in_the_dm_works(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")
    await rig.click(JAN, card_now(rig, card), "case.resolve")
    await rig.submit(JAN, {"note": "Zwrot wydany"})

    resolved = last_notice(rig, KASIA, "CS-1")
    assert "Zwrot wydany" in block_text(resolved.blocks)
    assert buttons(resolved) == ["case.reopen"]

    await rig.say(KASIA, rig.dm(KASIA), "otwórz ponownie CS-1")

    case = await rig.services.desk.case(CaseId(1))
    assert (case.status, case.assignee) == (CaseStatus.CLAIMED, "jan")
    events = await rig.services.store.events_of(CaseId(1))
    assert events[-1].kind is EventKind.REOPENED
    assert "CS-1" in block_text(dm_messages(rig, KASIA)[-1].blocks)  # not a knowledge-base answer


@pytest.mark.parametrize(
    ("user", "region", "channel", "typed"),
    [(PETRO, "UA", UA_CHANNEL, "відкрити CS-1"), (IVANA, "HR", "C0HRCOORD", "ponovno otvori CS-1")],
)
async def test_reopen_typed_in_ukrainian_and_croatian(
    rig: Rig, user: str, region: str, channel: str, typed: str
) -> None:
    await rig.command(user, "/escalate", "Klient chce zwrotu pieniędzy")
    await rig.submit(user, {"region": region})
    card = rig.cards(channel)[-1]
    desk = rig.services.desk
    claimer = OLENA if region == "UA" else OLA
    await rig.click(claimer, card, "case.claim")
    await rig.click(claimer, card_now(rig, card), "case.resolve")
    await rig.submit(claimer, {"note": "Done"})

    await rig.say(user, rig.dm(user), typed)

    assert (await desk.case(CaseId(1))).status is CaseStatus.CLAIMED


async def test_escalate_this_makes_one_case_and_the_button_becomes_the_case(rig: Rig) -> None:
    dm = rig.dm(KASIA)
    await rig.say(KASIA, dm, "Czy klient może zwrócić towar bez paragonu?")
    answer = rig.ws.history(dm)[-1]
    stale_copy = copy.deepcopy(answer)  # what another open client still shows

    await rig.click(KASIA, answer, "kb.escalate")
    await rig.submit(KASIA)
    await rig.click(KASIA, stale_copy, "kb.escalate")  # a second click on the old copy: no second form

    assert len(await rig.services.store.active_cases()) == 1
    assert not rig.ws.open_views(KASIA)
    now = rig.ws.message(dm, answer.ts)
    assert "kb.escalate" not in buttons(now)
    text = block_text(now.blocks)
    card = rig.cards()[-1]
    assert t("pl", "answer.escalated_as", case="CS-1") in text
    assert rig.ws.permalink(card.channel, card.ts) in text


async def test_reassign_outside_the_region_is_refused_with_the_reason(rig: Rig) -> None:
    await rig.command(PETRO, "/escalate", "Клієнт хоче повернути телевізор")
    await rig.submit(PETRO, {"region": "UA"})
    card = rig.cards(UA_CHANNEL)[-1]
    await rig.click(OLENA, card, "case.claim")
    await rig.click(OLENA, card_now(rig, card), "case.reassign")
    offered = [
        o["value"]
        for b in rig.last_view(OLENA).view["blocks"]
        if b["type"] == "input"
        for o in b["element"]["options"]
    ]
    assert sorted(offered) == ["jan", "maria", "taras"]  # UA coordinators; not Ola (PL, HR)

    payload = rig.ws.submit(OLENA, rig.last_view(OLENA).id, {"assignee": "taras"})
    payload["view"]["state"]["values"]["assignee"]["assignee"]["selected_option"] = {
        "value": "ola"
    }  # stale form
    refused = await rig.deliver(payload)

    assert refused.body == {
        "response_action": "errors",
        "errors": {"assignee": t("uk", "invalid.not_in_region", name="Ola Wiśniewska", region="UA")},
    }
    assert (await rig.services.desk.case(CaseId(1))).assignee == "olena"


async def test_the_new_assignee_gets_the_full_card_and_the_previous_may_take_it_back(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")
    await rig.click(JAN, card_now(rig, card), "case.reassign")
    await rig.submit(JAN, {"assignee": "ola"})

    handed = last_notice(rig, OLA, "CS-1")
    assert buttons(handed)[:2] == ["case.accept", "case.resolve"]
    assert SUMMARY_WORD in block_text(handed.blocks)
    assert rig.ws.permalink(card.channel, card.ts) in str(handed.blocks)
    confirmation = rig.ws.ephemerals_for(JAN)[-1]
    assert t("pl", "case.handed_over", case="CS-1", name="Ola Wiśniewska") in confirmation.text

    await rig.click(JAN, confirmation, "case.take_back")

    assert (await rig.services.desk.case(CaseId(1))).assignee == "jan"
    assert t("pl", "notify.taken_back", name="Jan Kowalski") in rig.thread_texts(card)
    assert (
        t("pl", "notify.taken_back_from_you", case="CS-1", name="Jan Kowalski")
        in dm_messages(rig, OLA)[-1].text
    )


SUMMARY_WORD = "broken TV"


async def test_escalate_up_asks_for_a_reason_records_it_and_its_button_goes(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")
    await rig.click(JAN, card_now(rig, card), "case.escalate_up")

    empty = await rig.submit(JAN, {"note": ""})
    assert empty.body is not None and list(empty.body["errors"]) == ["note"]
    await rig.submit(JAN, {"note": "Klient grozi sądem"})

    event = (await rig.services.store.events_of(CaseId(1)))[-1]
    assert (event.kind, event.note) == (EventKind.ESCALATED_UP, "Klient grozi sądem")
    assert "Klient grozi sądem" in block_text(rig.ws.thread(card.channel, card.ts)[-1].blocks)
    assert "case.escalate_up" not in buttons(card_now(rig, card))


async def test_the_card_shows_its_sla_state_and_overdue_without_anyone_acting(rig: Rig) -> None:
    card = await escalate(rig)
    assert t("pl", "case.sla.claim_left", left="10 min") in block_text(card.blocks)

    rig.clock.advance(minutes=12)
    await rig.settle()

    assert t("pl", "case.sla.claim_missed", late="2 min") in block_text(card_now(rig, card).blocks)
