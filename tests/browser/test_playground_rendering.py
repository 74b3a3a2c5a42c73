"""The playground draws Block Kit and mrkdwn as Slack does, keeps escaped markup as text, and offers
slash commands, reactions, modals and the App Home to whoever you are."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.i18n import t
from playground.records import JSON
from tests.browser.server import Running

if TYPE_CHECKING:  # Playwright is imported lazily: without it, these tests skip instead of failing
    from playwright.async_api import Page

pytestmark = pytest.mark.browser

JAN = "U0JAN"
GENERAL = "C0GENERAL"
BLOCKS: list[JSON] = [
    {"type": "header", "text": {"type": "plain_text", "text": "Weekly *notes*"}},
    {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": "*bold* _italic_ `code` <@U0JAN> <!here> <https://example.com/a?b=1&amp;c=2|the policy>\n"
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <@U0OLA|someone>",
        },
    },
    {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Priority*\nhigh"}]},
    {"type": "divider"},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "quiet _context_"}]},
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": "x",
                "text": {"type": "plain_text", "text": "Go"},
                "style": "danger",
            }
        ],
    },
]


def expect(target: Any) -> Any:
    from playwright.async_api import expect as playwright_expect

    return playwright_expect(target)


async def test_block_kit_and_mrkdwn_render_and_escaped_markup_stays_text(
    playground: Running, page: Page, shot: Callable[[str], Awaitable[Path]]
) -> None:
    playground.ws.post_message(GENERAL, text="fallback", blocks=BLOCKS)

    await page.goto(f"{playground.url}?as=jan")
    await page.locator(f"[data-channel={GENERAL}]").click()
    message = page.locator("#messages .message").last

    await expect(message.locator(".bk-header")).to_have_text("Weekly *notes*")  # plain text stays plain
    await expect(message.locator("b").first).to_have_text("bold")
    await expect(message.locator("i").first).to_have_text("italic")
    await expect(message.locator("code")).to_have_text("code")
    await expect(message.locator(".mention")).to_have_text(["@Jan Kowalski", "@here", "@someone"])
    link = message.get_by_role("link", name="the policy")
    await expect(link).to_have_attribute("href", "https://example.com/a?b=1&c=2")
    await expect(message).to_contain_text("<script>alert(1)</script> &")
    await expect(message.locator("script")).to_have_count(0)
    await expect(message.locator(".bk-fields")).to_contain_text("Priority")
    await expect(message.locator("hr")).to_have_count(1)
    await expect(message.locator(".bk-context")).to_have_text("quiet context")
    await expect(message.get_by_role("button", name="Go")).to_have_class("bk-button bk-danger")
    await shot("rendering")


async def test_commands_reactions_modal_and_app_home_work_for_a_coordinator(
    playground: Running, page: Page, shot: Callable[[str], Awaitable[Path]]
) -> None:
    await page.goto(f"{playground.url}?as=jan")
    await page.locator("[data-channel=C0PLCOORD]").click()
    composer = page.locator("#composer textarea")

    await composer.fill("/cases")
    await composer.press("Enter")
    queue = page.locator("#messages .message.ephemeral")
    await expect(queue).to_contain_text(t("pl", "queue.title"))
    await expect(queue).to_contain_text("Only visible to you")
    await shot("cases")

    await composer.fill("/escalate Klient czeka na zwrot")
    await composer.press("Enter")
    modal = page.get_by_role("dialog")
    await expect(modal.get_by_label(t("pl", "form.field.summary"))).to_have_value("Klient czeka na zwrot")
    await modal.get_by_role("button", name=t("pl", "form.cancel")).click()
    await expect(modal).to_be_hidden()

    await composer.fill("dzień dobry")
    await composer.press("Enter")
    mine = page.locator("#messages .message", has_text="dzień dobry")
    await mine.hover()
    await mine.get_by_title("Add reaction").click()
    await mine.get_by_title(":eyes:").click()
    await expect(mine.locator(".reaction.mine")).to_contain_text("1")

    await page.locator("[data-channel=home]").click()
    await expect(page.locator("#home .bk-header")).to_have_text(t("pl", "queue.title"))
    await shot("home")
