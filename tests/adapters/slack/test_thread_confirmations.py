"""Slack: destructive thread commands are confirmed privately and act only on Confirm; Undo for a few
minutes; refusals fully translated; a question to the bot in a case thread is answered there."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import t
from bot.models import CaseId, CaseStatus, PersonId
from bot.thread_commands import ThreadCommand, Verb, parse_thread
from handlers.slack.context import command_text
from playground.records import Ephemeral, Message
from tests.adapters.slack.rig import JAN, OLA, Rig, block_text
from tests.adapters.slack.test_cases import escalate

CASE = CaseId(1)


def last_private(rig: Rig, user: str) -> Ephemeral:
    privates = rig.ws.ephemerals_for(user)
    assert privates, f"nothing private for {user}"
    return privates[-1]


def action_ids(message: Ephemeral | Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


async def claimed_by_jan(rig: Rig) -> Message:
    card = await escalate(rig)
    await rig.click(JAN, card, "case.claim")
    return card


async def test_resolve_in_the_thread_waits_for_confirm_then_resolves_with_the_note(rig: Rig) -> None:
    card = await claimed_by_jan(rig)

    await rig.say(JAN, card.channel, "rozwiązane: zwrot na kartę", thread_ts=card.ts)

    prompt = last_private(rig, JAN)
    assert action_ids(prompt) == ["thread.confirm", "thread.dismiss"]
    assert t("pl", "confirm.resolve", case="CS-1") in block_text(prompt.blocks)
    assert prompt.thread_ts == card.ts
    assert (await rig.services.desk.case(CASE)).status is CaseStatus.CLAIMED
    await rig.click(JAN, prompt, "thread.confirm")

    case = await rig.services.desk.case(CASE)
    assert (case.status, case.resolution) == (CaseStatus.RESOLVED, "zwrot na kartę")
    done = last_private(rig, JAN)
    assert t("pl", "confirm.done.resolve", case="CS-1") in done.text
    assert action_ids(done) == ["thread.undo"]


async def test_cancel_changes_nothing_and_a_stale_confirm_does_nothing(rig: Rig) -> None:
    card = await claimed_by_jan(rig)
    await rig.say(JAN, card.channel, "zwalniam", thread_ts=card.ts)
    prompt = last_private(rig, JAN)

    await rig.click(JAN, prompt, "thread.dismiss")
    assert last_private(rig, JAN).text == t("pl", "confirm.dismissed", case="CS-1")
    assert (await rig.services.desk.case(CASE)).assignee == "jan"

    await rig.click(JAN, card, "case.release")  # the case moves on by the card's button
    await rig.click(JAN, prompt, "thread.confirm")  # then the old confirmation is clicked
    assert last_private(rig, JAN).text == t("pl", "error.stale_confirmation", case="CS-1")


async def test_only_the_writer_can_confirm(rig: Rig) -> None:
    card = await claimed_by_jan(rig)
    await rig.say(JAN, card.channel, "zwalniam", thread_ts=card.ts)

    await rig.click(OLA, last_private(rig, JAN), "thread.confirm")

    assert last_private(rig, OLA).text == t("pl", "error.not_allowed.not_writer")
    assert (await rig.services.desk.case(CASE)).assignee == "jan"


async def test_a_claim_in_the_thread_acts_at_once_and_can_be_undone_for_five_minutes(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.say(OLA, card.channel, "biorę", thread_ts=card.ts)
    assert (await rig.services.desk.case(CASE)).assignee == "ola"
    offer = last_private(rig, OLA)
    assert action_ids(offer) == ["thread.undo"]

    await rig.click(OLA, offer, "thread.undo")

    case = await rig.services.desk.case(CASE)
    assert (case.status, case.assignee) == (CaseStatus.OPEN, None)
    assert last_private(rig, OLA).text == t("pl", "undo.done", case="CS-1")


async def test_undo_is_refused_after_its_window(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.say(OLA, card.channel, "biorę", thread_ts=card.ts)
    rig.clock.advance(timedelta(minutes=6))

    await rig.click(OLA, last_private(rig, OLA), "thread.undo")

    assert last_private(rig, OLA).text == t("pl", "error.undo_expired", case="CS-1")
    assert (await rig.services.desk.case(CASE)).assignee == "ola"


async def test_a_refusal_names_the_status_in_the_writers_language(rig: Rig) -> None:
    card = await escalate(rig)  # waiting: nobody has it yet

    await rig.say(JAN, card.channel, "rozwiązane: zwrot na kartę", thread_ts=card.ts)

    refusal = last_private(rig, JAN).text
    assert refusal == t("pl", "error.illegal_transition", status=t("pl", "state.open"))
    assert "open" not in refusal and "claimed" not in refusal


async def test_resolve_without_a_note_asks_for_one_and_changes_nothing(rig: Rig) -> None:
    card = await claimed_by_jan(rig)

    await rig.say(JAN, card.channel, "rozwiązane", thread_ts=card.ts)

    assert last_private(rig, JAN).text == t("pl", "invalid.note_required")
    assert action_ids(last_private(rig, JAN)) == []
    assert (await rig.services.desk.case(CASE)).status is CaseStatus.CLAIMED


async def test_a_policy_question_to_the_bot_in_a_case_thread_is_answered_in_the_thread(rig: Rig) -> None:
    card = await claimed_by_jan(rig)
    before = len(rig.ws.thread(card.channel, card.ts))

    question = f"<@{rig.ws.bot_user_id}> czy klient może zwrócić towar bez paragonu?"
    await rig.say(JAN, card.channel, question, thread_ts=card.ts)

    replies = [m for m in rig.ws.thread(card.channel, card.ts)[before:] if m.user == rig.ws.bot_user_id]
    assert len(replies) == 1
    assert "kb.helpful" in action_ids(replies[0])
    assert (await rig.services.desk.case(CASE)).status is CaseStatus.CLAIMED


def test_slack_text_is_unescaped_before_the_grammar_reads_it() -> None:
    plain, others, addressed = command_text("&gt; close my account &amp; delete my data", bot_user="UBOT")
    assert (plain, others, addressed) == ("> close my account & delete my data", [], False)
    assert parse_thread(plain) is None
    plain, others, addressed = command_text("<@UBOT> resolve: refund &amp; voucher <@U0TOM>", bot_user="UBOT")
    assert parse_thread(plain, mentions=(PersonId("tom"),), addressed=addressed) == ThreadCommand(
        Verb.RESOLVE, "refund & voucher @U0TOM"
    )
