"""Pacing: the ack goes out at once; the work after it waits for a free slot."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_bolt.response import BoltResponse

from handlers.slack.pacing import Pacer


class RecordingAck(AsyncAck):
    """bolt's own ack, which also writes "ack <name>" to the log."""

    def __init__(self, log: list[str], name: str) -> None:
        self.response = (
            None  # what AsyncAck.__init__ does (it is not annotated, so strict mypy will not call it)
        )
        self.log = log
        self.name = name

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        self.log.append(f"ack {self.name}")
        return await super().__call__(*args, **kwargs)


async def test_acks_go_out_while_work_waits_for_a_slot() -> None:
    pacer = Pacer(slots=1)
    log: list[str] = []
    first_may_finish = asyncio.Event()

    async def listener(name: str, *, block: bool) -> None:
        ack = pacer.ack_then_wait(RecordingAck(log, name))
        try:
            await ack()
            log.append(f"work {name}")
            if block:
                await first_may_finish.wait()
        finally:
            ack.release()

    first = asyncio.create_task(listener("a", block=True))
    second = asyncio.create_task(listener("b", block=False))
    await asyncio.sleep(0)  # let both run up to their first wait
    await asyncio.sleep(0)
    assert log == ["ack a", "work a", "ack b"]  # b is acknowledged, its work waits for a's slot
    first_may_finish.set()
    await asyncio.gather(first, second)
    assert log == ["ack a", "work a", "ack b", "work b"]


async def test_a_failed_listener_gives_its_slot_back() -> None:
    pacer = Pacer(slots=1)
    log: list[str] = []
    ack = pacer.ack_then_wait(RecordingAck(log, "a"))
    await ack()
    ack.release()
    ack.release()  # releasing twice is harmless
    again = pacer.ack_then_wait(RecordingAck(log, "b"))
    await asyncio.wait_for(again(), timeout=1)
    assert again.response is not None
    assert again.response.status == 200
