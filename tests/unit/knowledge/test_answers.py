"""The answer reply: cross-language note in the asker's language, "Did you mean" suggestions with
"None of these", and a picked suggestion recorded as the question's answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.cases.desk import SupportDesk
from bot.config import Config
from bot.i18n import t
from bot.knowledge import KnowledgeBase, SearchHit, SearchResult
from bot.knowledge.answers import answer_reply
from bot.models import Identity, Platform
from bot.replies import Action
from bot.storage.store import Store
from tests.fakes.clock import FakeClock

HIT = SearchHit("installment-payments", "en", "Installment payments", 0.9, "0% for 10 months.")


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("pl", "Ta zasada istnieje tylko po angielsku."),
        ("uk", "Це правило існує лише англійською."),
        ("hr", "Ovo pravilo postoji samo na engleskom."),
    ],
)
def test_an_english_only_answer_says_so_in_the_askers_language(lang: str, note: str) -> None:
    reply = answer_reply(SearchResult("raty", lang, HIT, (HIT,), ()), question_id=7)
    assert reply.title == "Installment payments"
    assert reply.context[0] == note


def test_an_answer_in_the_askers_language_has_no_note() -> None:
    reply = answer_reply(SearchResult("installments", "en", HIT, (HIT,), ()), question_id=7)
    assert reply.context == (t("en", "answer.helpful_question"),)


def test_suggestions_are_did_you_mean_buttons_then_none_of_these() -> None:
    hits = tuple(replace(HIT, id=f"a{i}", title=f"Title {i}") for i in range(3))
    reply = answer_reply(SearchResult("raty?", "pl", None, hits, hits), question_id=7)
    assert reply.text == t("pl", "answer.did_you_mean")
    assert [(b.action, b.value) for b in reply.buttons] == [
        (Action.PICK_SUGGESTION, "7:a0:en"),
        (Action.PICK_SUGGESTION, "7:a1:en"),
        (Action.PICK_SUGGESTION, "7:a2:en"),
        (Action.ESCALATE_QUESTION, "7"),
    ]
    assert reply.buttons[0].label == "Czy chodzi o: Title 0?"
    assert reply.buttons[-1].label == t("pl", "button.none_of_these")


async def test_a_picked_suggestion_becomes_the_answer(
    store: Store, config: Config, knowledge: KnowledgeBase, clock: FakeClock
) -> None:
    unsure = replace(knowledge.calibration, answer_threshold=1.01, suggest_threshold=0.0)
    kb = KnowledgeBase.from_articles(knowledge.articles(), calibration=unsure)
    desk = SupportDesk(store=store, config=config, knowledge=lambda: kb, clock=clock)
    rep = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    asked = await desk.ask(rep, "paczka przyszła uszkodzona")
    assert asked.title is None
    pick = next(b for b in asked.buttons if b.action is Action.PICK_SUGGESTION)
    window = (clock() - timedelta(days=1), clock() + timedelta(days=1))
    assert (await store.question_stats(*window)).answered == 0

    answer = await desk.answers.pick(rep, pick.value)

    assert answer.title == kb.article(pick.value.split(":")[1], "pl").title  # type: ignore[union-attr]
    assert [b.action for b in answer.buttons][1:3] == [Action.HELPFUL, Action.NOT_HELPFUL]
    assert (await store.question_stats(*window)).answered == 1
    gone = await desk.answers.pick(rep, "7:no-such-article:pl")
    assert gone.text == t("pl", "answer.article_gone")
