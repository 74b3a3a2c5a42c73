"""Shared fixtures: a fixed clock, the demo config, stores on SQLite (and PostgreSQL when TEST_DATABASE_URL is set),
the bundled knowledge base (loaded once), a desk with a recording notifier, and a way to run due jobs."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cases.desk import SupportDesk
from bot.config import BUNDLED_CONFIG, Config, load_config
from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.ports import Notifier
from bot.storage.store import Store
from bot.timers.delivery import Deliveries
from bot.timers.worker import JobWorker
from tests.fakes.clock import FakeClock
from tests.fakes.recording_notifier import RecordingNotifier

ROOT = Path(__file__).resolve().parent.parent
KB_PATH = ROOT / "knowledge_base"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()

postgres_only = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+asyncpg://... (.ci/run does)"
)


DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=[pytest.mark.postgres, postgres_only]),
]


def deliveries_for(desk: SupportDesk, notifier: Notifier) -> Deliveries:
    """The job handler wired as app/server.py wires it, from the desk's own collaborators."""
    return Deliveries(
        config=desk.config,
        directory=desk.directory,
        roster=desk.roster,
        store=desk.store,
        notifier=notifier,
        answers=desk.answers,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(BUNDLED_CONFIG)


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    kb, problems = load_knowledge_base(KB_PATH)
    assert not problems, problems
    return kb


async def _fresh_postgres() -> Store:
    store = Store.connect(POSTGRES_URL)
    async with store.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    return store


async def open_store(backend: str, tmp_path: Path) -> Store:
    """A migrated, empty store: a SQLite file under tmp_path, or the PostgreSQL test database wiped."""
    store = (
        await _fresh_postgres()
        if backend == "postgres"
        else Store.connect(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    )
    await store.migrate()
    return store


@pytest.fixture(params=DATABASES)
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """The store on every available database (storage tests)."""
    store = await open_store(request.param, tmp_path)
    yield store
    await store.close()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await open_store("sqlite", tmp_path)
    yield store
    await store.close()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(store: Store, config: Config, knowledge: KnowledgeBase, clock: FakeClock) -> SupportDesk:
    return SupportDesk(store=store, config=config, knowledge=lambda: knowledge, clock=clock)


@pytest.fixture
def worker(desk: SupportDesk, notifier: RecordingNotifier, clock: FakeClock) -> JobWorker:
    """Run due jobs with `await worker.run_once()` after advancing the clock."""
    deliveries = deliveries_for(desk, notifier)
    return JobWorker(
        store=desk.store,
        handler=deliveries,
        owner="test",
        clock=clock,
        after_failure=deliveries.after_failure,
    )


@pytest.fixture(autouse=True)
def _no_platform_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up real credentials from the environment."""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "DATABASE_URL",
        "SUPPORTBOT_CONFIG",
        "KB_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
