"""Browser fixtures: the bot with its playground on a free port, and headless Debian Chromium driven by
Playwright (no browser download). Tests skip with the reason when /usr/bin/chromium is missing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import Config
from tests.browser.server import Running, running_playground
from tests.conftest import ROOT
from tests.fakes.clock import FakeClock

if TYPE_CHECKING:  # Playwright is imported lazily: without it, these tests skip instead of failing
    from playwright.async_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HAVE_CHROMIUM = CHROMIUM.exists()
ARTIFACTS = ROOT / "test-artifacts" / "playground"

pytestmark = pytest.mark.browser


@pytest.fixture
async def playground(tmp_path: Path, config: Config, clock: FakeClock) -> AsyncIterator[Running]:
    async with running_playground(tmp_path, config, clock=clock) as running:
        yield running


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    if not HAVE_CHROMIUM:
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)")
    async_api = pytest.importorskip(
        "playwright.async_api", reason="needs Playwright for Python (dev dependency)"
    )
    async with async_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1360, "height": 860}, locale="en-GB")
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        await browser.close()
        assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Awaitable[Path]]:
    """Save a screenshot of the page as a test artifact (test-artifacts/, not committed)."""
    folder: Path = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    count = iter(range(1, 100))

    async def take(name: str) -> Path:
        path = folder / f"{next(count):02d}-{name}.png"
        await page.mouse.move(1, 1)  # no hover toolbars in the picture
        await page.screenshot(path=str(path))
        return path

    return take
