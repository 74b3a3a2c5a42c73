"""What the bot acknowledged survives a deploy (SIGTERM) and a crash (kill -9): a real `supportbot serve`
process, the fake Slack on 127.0.0.1, bursts of signed escalations, and a restart. Every acknowledged
escalation becomes a case with exactly one card and one first ping, on SQLite and PostgreSQL."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from playground.app_link import Delivered
from tests.conftest import DATABASES, POSTGRES_URL, _fresh_postgres
from tests.durability.serve import (
    Counts,
    Server,
    card_markers,
    cards,
    client_key,
    counts,
    escalations,
    pings,
    send_all,
    serve,
    until,
)
from tests.fakes.fake_slack import FakeSlack

KILL_AFTER = 50  # acks of the burst of 200 before kill -9


@pytest.fixture
async def slack(config: Config) -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack.start(config)
    yield fake
    await fake.stop()


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        store = await _fresh_postgres()
        await store.close()
        return POSTGRES_URL
    return f"sqlite+aiosqlite:///{tmp_path}/durability.db"


async def settled(slack: FakeSlack, url: str, expected: set[str]) -> Counts:
    """Wait until every case in `expected` exists, every case has its card and each card its ping."""
    latest: list[Counts] = []

    async def done() -> bool:
        now = await counts(url)
        latest[:] = [now]
        posted = cards(slack)
        return (
            expected <= set(now.cases)
            and now.pending_inbox == 0
            and all(now.cases.values())
            and len(posted) >= len(now.cases)
            and all(pings(slack, card) for card in posted)
        )

    await until(
        done, within=240, what=lambda: f"cases, cards and pings settled: {latest}, {len(cards(slack))} cards"
    )
    return latest[0]


def assert_one_card_and_one_ping_each(slack: FakeSlack, final: Counts) -> None:
    markers = Counter(card_markers(slack))
    assert len(cards(slack)) == len(final.cases), markers
    assert all(n == 1 for n in markers.values()), [m for m, n in markers.items() if n > 1]
    assert None not in markers
    assert [len(pings(slack, card)) for card in cards(slack)] == [1] * len(final.cases)


async def test_sigterm_as_the_20th_ack_arrives_loses_nothing(
    slack: FakeSlack, config: Config, database_url: str, tmp_path: Path
) -> None:
    payloads = escalations(slack, config, 20)
    async with serve(tmp_path, slack, database_url, name="first") as first:

        def on_ack(n: int) -> None:
            if n == 20:
                first.process.send_signal(signal.SIGTERM)

        outcomes = await send_all(first, slack, payloads, on_ack=on_ack)
        assert await first.exited() == 0, first.log.read_text()[-3000:]
    assert [o.status for _, o in outcomes if isinstance(o, Delivered)] == [200] * 20

    async with serve(tmp_path, slack, database_url, name="second") as second:
        await settled(slack, database_url, {client_key(p) for p in payloads})
        await second.stop()

    final = await counts(database_url)
    assert set(final.cases) == {client_key(p) for p in payloads}
    assert_one_card_and_one_ping_each(slack, final)


async def test_kill_9_in_a_burst_of_200_every_acked_case_survives_with_one_card_and_one_ping(
    slack: FakeSlack, config: Config, database_url: str, tmp_path: Path
) -> None:
    payloads = escalations(slack, config, 200)
    first: Server
    async with serve(tmp_path, slack, database_url, name="first") as first:

        def on_ack(n: int) -> None:
            if n == KILL_AFTER:
                first.process.kill()

        outcomes = await send_all(first, slack, payloads, on_ack=on_ack)
        assert await first.stop(signal.SIGKILL) == -signal.SIGKILL  # at the N-th ack, or at the latest now
    acked = {client_key(p) for p, o in outcomes if isinstance(o, Delivered) and o.status == 200}
    assert len(acked) >= KILL_AFTER, Counter(
        o.status if isinstance(o, Delivered) else type(o).__name__ for _, o in outcomes
    )

    async with serve(tmp_path, slack, database_url, name="second") as second:
        await settled(slack, database_url, acked)
        await second.stop()

    final = await counts(database_url)
    assert acked <= set(final.cases)
    assert_one_card_and_one_ping_each(slack, final)
