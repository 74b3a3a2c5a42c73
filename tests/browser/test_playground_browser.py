"""The playground in a real browser: a rep's question, an escalation, a claim and a resolution, as people see them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.i18n import t
from tests.browser.server import Running
from tests.conftest import ROOT
from tests.fakes.clock import FakeClock

if TYPE_CHECKING:  # Playwright is imported lazily: without it, these tests skip instead of failing
    from playwright.async_api import Page

pytestmark = pytest.mark.browser

QUESTION = "Czy klient może zwrócić towar bez paragonu?"
PL_COORDINATORS = ("jan", "ola", "ivana")
DOCS = ROOT / "docs"
NAMES = {
    "U0KASIA": "Kasia Nowak",
    "U0JAN": "Jan Kowalski",
    "U0OLA": "Ola Wiśniewska",
    "U0IVANA": "Ivana Horvat",
}


def expect(target: Any) -> Any:
    from playwright.async_api import expect as playwright_expect

    return playwright_expect(target)


async def act_as(page: Page, person: str) -> None:
    await page.get_by_label("You are").select_option(person)
    await expect(page.locator("#me")).to_contain_text(NAMES[person])


def slack_id(person: str) -> str:
    return f"U0{person.upper()}"


def keep_for_docs(path: Path, name: str) -> None:
    """With SUPPORTBOT_DOCS_SCREENSHOTS=1 the screenshot also becomes docs/<name>.png (committed)."""
    if os.environ.get("SUPPORTBOT_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, DOCS / f"{name}.png")


async def test_rep_asks_escalates_and_sees_the_resolution_while_coordinators_claim_in_the_browser(
    playground: Running, page: Page, shot: Callable[[str], Awaitable[Path]], clock: FakeClock
) -> None:
    duty = await playground.services.desk.roster.on_duty("PL", at=clock())
    assert duty.people, "the demo rota has someone on duty in PL at the test's clock"
    on_duty = slack_id(duty.people[0])
    other = slack_id(next(p for p in PL_COORDINATORS if p not in duty.people))

    # A rep asks a policy question in Polish in her DM with the bot and gets the Polish answer card.
    await page.goto(f"{playground.url}?as=kasia")
    await expect(page.locator("#pane-title")).to_have_text("supportbot")
    composer = page.locator("#composer textarea")
    await composer.fill(QUESTION)
    await composer.press("Enter")
    answer = page.locator(".message", has=page.locator(".bk-header", has_text="Zwrot towaru bez paragonu"))
    await expect(answer).to_be_visible()
    await expect(answer).to_contain_text("Bez paragonu najpierw szukamy transakcji")
    await expect(answer.locator("b").first).to_be_visible()  # *bold* in mrkdwn
    keep_for_docs(await shot("answer"), "playground-answer")

    # Not helpful, then escalate: the modal opens pre-filled with the question.
    await answer.get_by_role("button", name=t("pl", "button.not_helpful")).click()
    follow_up = page.locator(".message", has_text="Czy przekazać pytanie koordynatorowi?")
    await follow_up.get_by_role("button", name=t("pl", "button.escalate_this")).click()
    modal = page.get_by_role("dialog")
    await expect(modal.get_by_role("heading")).to_have_text(t("pl", "form.escalate.title"))
    summary = modal.get_by_label(t("pl", "form.field.summary"))
    await expect(summary).to_have_value(QUESTION)

    # A too-short summary comes back from the bot as an error on that field (response_action: errors).
    await summary.fill("abc")
    await modal.get_by_role("button", name=t("pl", "form.escalate.submit"), exact=True).click()
    await expect(modal.get_by_role("alert").filter(has_text="5")).to_have_text(
        t("pl", "invalid.summary_short")
    )
    await shot("field-error")

    await summary.fill("Zwrot bez paragonu, klientka płaciła kartą")
    await modal.get_by_label(t("pl", "form.field.details")).fill("Klientka ma wyciąg z karty, brak paragonu.")
    await modal.get_by_label(t("pl", "form.field.priority")).select_option("high")
    await shot("escalation-form")
    await modal.get_by_role("button", name=t("pl", "form.escalate.submit"), exact=True).click()
    await expect(modal).to_be_hidden()
    await expect(page.locator("#messages")).to_contain_text("CS-1")
    await shot("escalated")

    # The on-duty coordinator sees the card in #pl-coordinators and the ping in its thread, then claims.
    await act_as(page, on_duty)
    await page.locator("[data-channel=C0PLCOORD]").click()
    card = page.locator("#messages .message", has_text="CS-1")
    await expect(card).to_contain_text("Zwrot bez paragonu, klientka płaciła kartą")
    await card.get_by_role("button", name="1 reply").click()
    thread = page.locator("#thread")
    await expect(thread.locator(".mention").first).to_have_text(f"@{NAMES[on_duty]}")
    await shot("pinged")
    await card.get_by_role("button", name=t("pl", "button.claim")).click()
    claimed = t("pl", "case.status.claimed", name=NAMES[on_duty])
    await expect(card).to_contain_text(claimed)
    await expect(card.get_by_role("button", name=t("pl", "button.resolve"))).to_be_visible()
    keep_for_docs(await shot("claimed"), "playground-claimed")

    # A second PL coordinator sees it already claimed; claiming in the thread is refused privately.
    await act_as(page, other)
    await page.locator("[data-channel=C0PLCOORD]").click()
    await expect(card).to_contain_text(claimed)
    await card.get_by_role("button", name="2 replies").click()
    reply = page.locator("#thread textarea")
    await reply.fill("biorę")
    await reply.press("Enter")
    refusal = page.locator("#thread .message.ephemeral")
    await expect(refusal).to_contain_text("Only visible to you")
    await expect(refusal).to_contain_text(NAMES[on_duty])
    await shot("already-claimed")

    # The claimer resolves with a note.
    await act_as(page, on_duty)
    await page.locator("[data-channel=C0PLCOORD]").click()
    await expect(page.locator("#thread .message.ephemeral")).to_have_count(0)  # not theirs to see
    await card.get_by_role("button", name=t("pl", "button.resolve")).click()
    await expect(modal.get_by_role("heading")).to_have_text(t("pl", "form.resolve.title"))
    await modal.get_by_label(t("pl", "form.field.resolution")).fill(
        "Wydano bon zwrotny po weryfikacji karty."
    )
    await modal.get_by_role("button", name=t("pl", "form.resolve.submit"), exact=True).click()
    await expect(card).to_contain_text(t("pl", "case.status.resolved", name=NAMES[on_duty]))
    await shot("resolved")

    # The rep sees the resolution in her DM.
    await act_as(page, "U0KASIA")
    await expect(page.locator("#messages")).to_contain_text("Wydano bon zwrotny po weryfikacji karty.")
    await shot("rep-sees-resolution")
