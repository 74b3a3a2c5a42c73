"""Storage on every database: race-safe claims, idempotent escalation, migrations matching the models."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from bot.cases.desk import SupportDesk
from bot.config import Config, parse_config
from bot.errors import AlreadyClaimed
from bot.knowledge import KnowledgeBase
from bot.models import CaseStatus, EventKind, Identity, Platform
from bot.storage.store import Store
from bot.storage.tables import Base
from tests.fakes.clock import FakeClock

FORM = {"summary": "Damaged sofa delivered", "priority": "urgent", "category": "delivery", "region": "PL"}


def crowd_config(n: int) -> Config:
    people = [
        {
            "id": f"c{i}",
            "name": f"Coordinator {i}",
            "role": "coordinator",
            "regions": ["PL"],
            "slack": f"UC{i}",
        }
        for i in range(n)
    ]
    people.append({"id": "rep", "name": "Rep", "slack": "UREP"})
    return parse_config(
        {
            "regions": {
                "PL": {"name": "Poland", "channels": {"slack": "C1"}, "layers": [{"people": ["c0"]}]}
            },
            "people": people,
        }
    )


async def test_fifty_concurrent_claims_have_exactly_one_winner(
    any_store: Store, knowledge: KnowledgeBase, clock: FakeClock
) -> None:
    desk = SupportDesk(store=any_store, config=crowd_config(50), knowledge=lambda: knowledge, clock=clock)
    rep = desk.directory.actor(Identity(Platform.SLACK, "UREP"))
    case = (await desk.escalate(rep, FORM, client_key="race")).case
    claimers = [desk.directory.actor(Identity(Platform.SLACK, f"UC{i}")) for i in range(50)]

    async def claim(actor: Any) -> str:
        try:
            await desk.claim(actor, case.id)
        except AlreadyClaimed as lost:
            return f"lost to {lost.by}"
        return "won"

    outcomes = await asyncio.gather(*(claim(a) for a in claimers))
    winners = [a.id for a, o in zip(claimers, outcomes, strict=True) if o == "won"]
    assert len(winners) == 1
    assert outcomes.count(f"lost to {winners[0]}") == 49
    final = await desk.case(case.id)
    assert (final.status, final.assignee) == (CaseStatus.CLAIMED, winners[0])
    claimed_events = [e for e in await any_store.events_of(case.id) if e.kind is EventKind.CLAIMED]
    assert [e.actor for e in claimed_events] == winners


async def test_twenty_concurrent_identical_escalations_make_one_case(
    any_store: Store, config: Config, knowledge: KnowledgeBase, clock: FakeClock
) -> None:
    desk = SupportDesk(store=any_store, config=config, knowledge=lambda: knowledge, clock=clock)
    rep = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    results = await asyncio.gather(*(desk.escalate(rep, FORM, client_key="retry-key") for _ in range(20)))
    assert len({r.case.id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert len(await any_store.unclaimed_cases()) == 1
    assert len(await any_store.events_of(results[0].case.id)) == 1
    assert (
        len(await any_store.jobs_of(results[0].case.id)) == 2
    )  # post the card; refresh it at the claim target


async def test_migrations_match_the_models(any_store: Store) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with any_store.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_migrating_twice_is_a_no_op(any_store: Store) -> None:
    await any_store.migrate()
    assert await any_store.ping()


async def test_delivery_ids_are_first_seen_once_across_stores(any_store: Store, clock: FakeClock) -> None:
    results = await asyncio.gather(*(any_store.first_delivery("slack:Ev1", now=clock()) for _ in range(10)))
    assert results.count(True) == 1


async def test_conversation_references_are_upserted(any_store: Store, clock: FakeClock) -> None:
    await any_store.save_conversation(
        "teams:channel:1", platform=Platform.TEAMS, data='{"a": 1}', now=clock()
    )
    await any_store.save_conversation(
        "teams:channel:1", platform=Platform.TEAMS, data='{"a": 2}', now=clock()
    )
    assert await any_store.conversation("teams:channel:1") == '{"a": 2}'
    assert await any_store.conversation("teams:channel:2") is None


async def test_case_is_found_by_its_card_key(
    any_store: Store, config: Config, knowledge: KnowledgeBase, clock: FakeClock
) -> None:
    from bot.models import MessageRef

    desk = SupportDesk(store=any_store, config=config, knowledge=lambda: knowledge, clock=clock)
    rep = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    case = (await desk.escalate(rep, FORM, client_key="k")).case
    await any_store.set_card(case.id, MessageRef(Platform.SLACK, "{}", key="C1/123.45"))
    found = await any_store.case_by_card(Platform.SLACK, "C1/123.45")
    assert found is not None and found.id == case.id
    assert await any_store.case_by_card(Platform.TEAMS, "C1/123.45") is None


@pytest.mark.parametrize("naive", [True])
async def test_naive_datetimes_are_refused(store: Store, naive: bool) -> None:
    from datetime import datetime

    with pytest.raises(Exception, match="naive datetime"):
        await store.first_delivery("x", now=datetime(2026, 1, 1))


async def test_my_requests_and_one_case_per_question_on_every_database(
    any_store: Store, knowledge: KnowledgeBase, clock: FakeClock
) -> None:
    desk = SupportDesk(store=any_store, config=crowd_config(2), knowledge=lambda: knowledge, clock=clock)
    rep = desk.directory.actor(Identity(Platform.SLACK, "UREP"))
    coordinator = desk.directory.actor(Identity(Platform.SLACK, "UC0"))
    old = (await desk.escalate(rep, FORM, client_key="old")).case
    await desk.claim(coordinator, old.id)
    await desk.resolve(coordinator, old.id, note="done")
    clock.advance(days=8)  # past the reopen window: no longer listed
    open_one = (await desk.escalate(rep, FORM, client_key="a")).case
    results = await asyncio.gather(
        *(desk.escalate(rep, FORM, client_key=f"v{i}", question=7) for i in range(5))
    )
    from_question = results[0].case

    listed = await any_store.cases_requested_by(rep.id, resolved_since=clock() - desk.config.reopen_window)

    assert {c.id for c in listed} == {open_one.id, from_question.id}
    assert {r.case.id for r in results} == {from_question.id} and sum(r.created for r in results) == 1
    assert await any_store.case_by_client_key("question:7") == from_question
