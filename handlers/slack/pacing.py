"""Ack first, work later: a burst of Slack requests is acknowledged at once and worked off a few at a time.

Every listener acks before it works, but the work after the ack (searching, writing, posting) shares
the event loop with the acks still to send. Without a bound, a burst of 50 requests means 50 listeners
competing with every pending ack, and Slack's 3-second limit is at risk. `Pacer.ack_then_wait(ack)`
gives the listener an ack that, once sent, waits for one of a few work slots. Listeners that must
open a modal (a trigger id expires 3 s after the click) skip the wait.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck

WORK_SLOTS = 8


class PacedAck:
    """An ack that, after acknowledging, holds one of the pacer's work slots until `release()`."""

    def __init__(self, ack: AsyncAck, slots: asyncio.Semaphore) -> None:
        self._ack = ack
        self._slots = slots
        self._holding = False

    @property
    def response(self) -> Any:
        return self._ack.response

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = await self._ack(*args, **kwargs)
        if not self._holding:
            await self._slots.acquire()
            self._holding = True
        return result

    def release(self) -> None:
        if self._holding:
            self._holding = False
            self._slots.release()


class Pacer:
    def __init__(self, slots: int = WORK_SLOTS) -> None:
        self._slots = asyncio.Semaphore(slots)

    def ack_then_wait(self, ack: AsyncAck) -> PacedAck:
        return PacedAck(ack, self._slots)
