"""Policy questions over Slack: DMs, @mentions in channels (answered in a thread), follow-ups, feedback."""

from __future__ import annotations

import pytest

from bot.i18n import t
from playground.slack_api import Failure
from tests.adapters.slack.rig import AMY, GENERAL, KASIA, Rig, block_text


async def test_dm_question_gets_the_polish_answer_card_with_feedback_buttons(rig: Rig) -> None:
    dm = rig.dm(KASIA)
    await rig.say(KASIA, dm, "Czy klient może zwrócić towar bez paragonu?")

    answer = rig.ws.history(dm)[-1]
    assert answer.user == rig.ws.bot_user_id
    assert answer.thread_ts is None
    assert answer.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Zwrot towaru bez paragonu", "emoji": True},
    }
    actions = [e["action_id"] for b in answer.blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["kb.show_article", "kb.helpful", "kb.not_helpful", "kb.escalate"]


async def test_a_vote_replaces_the_feedback_buttons_and_a_change_of_mind_replaces_the_vote(rig: Rig) -> None:
    dm = rig.dm(AMY)
    await rig.say(AMY, dm, "Can a customer return an item without a receipt?")
    answer = rig.ws.history(dm)[-1]

    await rig.click(AMY, answer, "kb.helpful")

    voted = rig.ws.message(dm, answer.ts)  # the same message, edited: no new "thanks" message
    assert len(rig.ws.history(dm)) == 2
    assert t("en", "answer.voted_helpful") in block_text(voted.blocks)
    ids = [e["action_id"] for b in voted.blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids == ["kb.show_article", "kb.not_helpful", "kb.escalate"]

    await rig.click(AMY, voted, "kb.not_helpful")

    stats = await rig.services.store.question_stats(
        rig.clock().replace(year=2000), rig.clock().replace(year=2100)
    )
    assert (stats.helpful, stats.not_helpful) == (0, 1)  # one vote per person
    assert t("en", "answer.voted_not_helpful") in block_text(rig.ws.message(dm, answer.ts).blocks)


async def test_mention_in_channel_is_answered_in_its_thread_and_a_follow_up_too(rig: Rig) -> None:
    await rig.say(AMY, GENERAL, "<@U0BOT> can a customer return an item without a receipt?")
    question = rig.ws.history(GENERAL)[-1]
    replies = rig.ws.thread(GENERAL, question.ts)
    assert len(replies) == 1
    assert "receipt" in block_text(replies[0].blocks).lower()

    await rig.say(AMY, GENERAL, "and what about gift cards?", thread_ts=question.ts)

    replies = rig.ws.thread(GENERAL, question.ts)
    assert len(replies) == 3  # answer, the follow-up, its answer
    assert replies[-1].user == rig.ws.bot_user_id


async def test_channel_chatter_outside_bot_threads_is_ignored(rig: Rig) -> None:
    await rig.say(AMY, GENERAL, "lunch anyone?")
    first = rig.ws.history(GENERAL)[-1]
    await rig.say(KASIA, GENERAL, "yes!", thread_ts=first.ts)

    assert rig.api.calls_to("chat.postMessage") == []


async def test_unknown_question_says_so_honestly_and_offers_to_escalate(rig: Rig) -> None:
    dm = rig.dm(AMY)
    await rig.say(AMY, dm, "What is the airspeed velocity of an unladen swallow on Mars?")

    answer = rig.ws.history(dm)[-1]
    actions = [e["action_id"] for b in answer.blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions[-1] == "kb.escalate"
    assert "kb.helpful" not in actions

    await rig.click(AMY, answer, "kb.escalate")

    modal = rig.last_view(AMY)
    assert modal.view["callback_id"] == "form.escalate"
    summary = next(b for b in modal.view["blocks"] if b.get("block_id") == "summary")
    assert "swallow" in summary["element"]["initial_value"]


@pytest.mark.parametrize(
    "failure",
    [
        Failure("user_not_found"),
        Failure("internal_error", status=500, times=5),
        Failure("bad_gateway", status=502, html="<html><body>502 Bad Gateway</body></html>", times=5),
        Failure("ok_but_html", status=200, html="<html>maintenance</html>", times=5),
        Failure("json_lies", status=200, html="<html>x</html>", content_type="application/json", times=5),
    ],
    ids=["error-code", "http-500", "html-502", "html-200", "not-json-said-json"],
)
async def test_a_failing_users_info_still_answers_in_the_persons_configured_language(
    rig: Rig, failure: Failure
) -> None:
    rig.api.fail("users.info", failure)
    dm = rig.dm(KASIA)  # Kasia's configured language is Polish
    await rig.say(KASIA, dm, "Czy klient może zwrócić towar bez paragonu?")

    answer = rig.ws.history(dm)[-1]
    assert answer.user == rig.ws.bot_user_id
    assert answer.blocks[0]["text"]["text"] == "Zwrot towaru bez paragonu"
    helpful = [e for b in answer.blocks if b["type"] == "actions" for e in b["elements"]][1]
    assert helpful["text"]["text"] == t("pl", "button.helpful")
