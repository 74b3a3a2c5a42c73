"""The durable inbox on every database: one write records an interaction (a retry is recognised in it),
the domain write settles it, a crash leaves it to be rerun once, and shutdown drains what is in flight."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.cases.desk import SupportDesk
from bot.config import Config
from bot.knowledge import KnowledgeBase
from bot.models import Identity, Platform
from bot.storage.receipts import Receipt
from bot.storage.store import Store
from bot.timers.inbox import Inbox
from tests.fakes.clock import FakeClock

LEASE = timedelta(seconds=30)
KASIA = Identity(Platform.SLACK, "U0KASIA")
FORM = {"summary": "Terminal rejects cards", "priority": "high", "region": "PL"}


def inbox(store: Store, clock: FakeClock, owner: str = "p1") -> Inbox:
    return Inbox(store=store, owner=owner, clock=clock, lease=LEASE)


class Reruns:
    """A replayer that records what it was asked to rerun."""

    def __init__(self) -> None:
        self.seen: list[Receipt] = []

    async def __call__(self, receipt: Receipt) -> None:
        self.seen.append(receipt)


async def test_an_interaction_is_recorded_once_and_its_retry_is_recognised(
    any_store: Store, clock: FakeClock
) -> None:
    first = await inbox(any_store, clock).receive("slack:event:Ev1", kind="slack:on_message", body={"a": 1})
    retry = await inbox(any_store, clock, "p2").receive("slack:event:Ev1", kind="slack:on_message", body={})

    assert first == Receipt("slack:event:Ev1", "slack:on_message", {"a": 1}, 1)
    assert retry is None
    assert await any_store.receipt_status("slack:event:Ev1") == "pending"


async def test_a_burst_is_recorded_together_and_a_key_twice_in_it_is_one_interaction(
    any_store: Store, clock: FakeClock
) -> None:
    box = inbox(any_store, clock)
    keys = [f"k{i}" for i in range(50)] + ["k7"]

    receipts = await asyncio.gather(*(box.receive(key, kind="slack:x", body={}) for key in keys))

    assert sum(r is not None for r in receipts) == 50
    assert receipts[7] is not None and receipts[-1] is None
    assert (await any_store.inbox_counts()) == {"pending": 50}


async def test_the_domain_write_settles_the_receipt_in_its_own_transaction(
    any_store: Store, config: Config, knowledge: KnowledgeBase, clock: FakeClock
) -> None:
    desk = SupportDesk(store=any_store, config=config, knowledge=lambda: knowledge, clock=clock)
    box = inbox(any_store, clock)
    receipt = await box.receive("slack:view:V1:abc", kind="slack:on_escalate_submission", body={})
    assert receipt is not None

    async with box.working(receipt):
        await desk.escalate(desk.directory.actor(KASIA), FORM, client_key="slack-view:V1")
        status_inside = await any_store.receipt_status(receipt.key)

    assert status_inside == "done"  # committed with the case: a crash after this reruns nothing


async def test_work_a_crash_interrupted_is_rerun_once_by_the_next_process(
    any_store: Store, clock: FakeClock
) -> None:
    crashed = inbox(any_store, clock, "dead")
    assert await crashed.receive(
        "slack:action:U1:1.2:case.claim", kind="slack:on_claim_button", body={"b": 2}
    )
    restarted, reruns = inbox(any_store, clock, "p2"), Reruns()
    restarted.register("slack:", reruns)

    assert await restarted.recover_once() == 0  # still the other process's while its lease runs
    clock.advance(LEASE)
    assert await restarted.recover_once() == 1
    assert await restarted.recover_once() == 0

    assert [(r.key, r.body, r.attempts) for r in reruns.seen] == [
        ("slack:action:U1:1.2:case.claim", {"b": 2}, 2)
    ]
    assert await any_store.receipt_status("slack:action:U1:1.2:case.claim") == "done"


async def test_a_retry_of_an_interaction_whose_process_died_takes_it_over(
    any_store: Store, clock: FakeClock
) -> None:
    assert await inbox(any_store, clock, "dead").receive("teams:c:1", kind="teams:activity", body={})
    assert await inbox(any_store, clock, "p2").receive("teams:c:1", kind="teams:activity", body={}) is None

    clock.advance(LEASE)
    taken = await inbox(any_store, clock, "p2").receive("teams:c:1", kind="teams:activity", body={})

    assert taken is not None and taken.attempts == 2


async def test_kinds_without_a_replayer_are_left_alone(any_store: Store, clock: FakeClock) -> None:
    assert await inbox(any_store, clock, "dead").receive("teams:c:2", kind="teams:activity", body={})
    clock.advance(LEASE)
    restarted = inbox(any_store, clock, "p2")
    restarted.register("slack:", Reruns())

    assert await restarted.recover_once() == 0
    assert await any_store.receipt_status("teams:c:2") == "pending"


async def test_shutdown_drains_work_in_flight_and_leaves_the_rest_to_the_next_start_at_once(
    any_store: Store, clock: FakeClock
) -> None:
    box = inbox(any_store, clock)
    quick = await box.receive("quick", kind="slack:x", body={})
    slow = await box.receive("slow", kind="slack:x", body={})
    assert quick and slow
    release_quick, never = asyncio.Event(), asyncio.Event()

    async def work(receipt: Receipt, gate: asyncio.Event) -> None:
        async with box.working(receipt):
            await gate.wait()

    tasks = [asyncio.create_task(work(quick, release_quick)), asyncio.create_task(work(slow, never))]
    await asyncio.sleep(0)
    release_quick.set()
    left = await box.drain(within=0.2)

    assert left == 1 and tasks[1].cancelled()
    assert await any_store.receipt_status("quick") == "done"
    restarted, reruns = inbox(any_store, clock, "p2"), Reruns()
    restarted.register("slack:", reruns)
    assert await restarted.recover_once() == 1  # no lease to wait out
    assert [r.key for r in reruns.seen] == ["slow"]


async def test_an_interaction_that_keeps_crashing_its_process_is_parked(
    any_store: Store, clock: FakeClock
) -> None:
    assert await inbox(any_store, clock, "dead").receive("poison", kind="slack:x", body={})
    for n in range(5):
        clock.advance(LEASE)
        leased = await any_store.lease_unfinished(
            owner=f"dead{n}", now=clock(), lease=LEASE, kinds=["slack:"]
        )
        assert [r.key for r in leased] == ["poison"]
    clock.advance(LEASE)
    restarted, reruns = inbox(any_store, clock, "p2"), Reruns()
    restarted.register("slack:", reruns)

    await restarted.recover_once()

    assert reruns.seen == []
    assert await any_store.receipt_status("poison") == "failed"
