"""The durable inbox: record an interaction before its ack, do its work from that record, rerun what a
crash interrupted, and drain in-flight work at shutdown.

Rules:
- A platform handler calls `receive(key, kind=..., body=...)` before it acks. The key is the
  platform's own id for the interaction, so a retry is recognised in the same write (None: handled
  or in hand already). The row is leased to this process while it works.
- The work runs inside `working(receipt)`: the first domain write it makes marks the receipt done in
  its own transaction (see bot/storage/receipts.py), and the end of the work marks it done otherwise.
- `recover_once()` (at startup, then every `poll` seconds) leases receipts left pending by a process
  that died (their lease ran out) or released at shutdown, and reruns them through the replayer the
  platform registered for their kind. After `max_attempts` starts a receipt is parked as failed.
- `drain(within)` stops recovering, waits up to `within` seconds for work in flight, cancels what is
  left and releases its leases: the next process to start runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.errors import BotError
from bot.storage.receipts import RECEIPT, Current, Receipt
from bot.storage.store import Store

logger = logging.getLogger(__name__)

Replayer = Callable[[Receipt], Awaitable[None]]
BATCH = 200  # interactions recorded in one statement at most


class Inbox:
    def __init__(
        self,
        *,
        store: Store,
        owner: str,
        clock: Callable[[], datetime],
        lease: timedelta = timedelta(seconds=30),
        max_attempts: int = 5,
        poll: float = 5.0,
        concurrency: int = 8,
    ) -> None:
        self.store = store
        self.owner = owner
        self.clock = clock
        self.lease = lease
        self.max_attempts = max_attempts
        self.poll = poll
        self._replayers: dict[str, Replayer] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._stopping = asyncio.Event()
        self._arrivals: list[tuple[str, str, dict[str, Any], asyncio.Future[Receipt | None]]] = []
        self._writer: asyncio.Task[None] | None = None

    def register(self, prefix: str, replayer: Replayer) -> None:
        """Receipts whose kind starts with `prefix` ("slack:") are rerun by `replayer`."""
        self._replayers[prefix] = replayer

    async def receive(self, key: str, *, kind: str, body: dict[str, Any]) -> Receipt | None:
        """Record one interaction; None when it is a retry (done, or in hand). Interactions arriving
        while a write is under way are recorded together in the next one (one statement, one commit),
        so a burst costs a few writes rather than one each, and no ack waits for a lock."""
        arrival: asyncio.Future[Receipt | None] = asyncio.get_running_loop().create_future()
        self._arrivals.append((key, kind, body, arrival))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_arrivals(), name="inbox-writer")
        return await arrival

    async def _write_arrivals(self) -> None:
        while self._arrivals:
            batch, self._arrivals = self._arrivals[:BATCH], self._arrivals[BATCH:]
            distinct = {key: (key, kind, body) for key, kind, body, _ in reversed(batch)}
            try:
                taken = await self.store.receive(
                    list(distinct.values()), owner=self.owner, now=self.clock(), lease=self.lease
                )
            except Exception as error:
                for *_, arrival in batch:
                    if not arrival.done():
                        arrival.set_exception(error)
                continue
            for key, kind, body, arrival in batch:
                attempts = taken.pop(key, None)  # a key twice in one batch: the second is a retry
                if not arrival.done():
                    arrival.set_result(None if attempts is None else Receipt(key, kind, body, attempts))

    @contextlib.asynccontextmanager
    async def working(self, receipt: Receipt) -> AsyncIterator[None]:
        """Run the receipt's work in this block; it is marked done when the block ends, also when the work
        was refused (a BotError), and failed on any other error. Only a crash, or a cancellation at
        shutdown, leaves it pending for `recover_once`."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        current = Current(receipt.key, self.clock())
        token = RECEIPT.set(current)
        try:
            yield
        except BotError:
            await self._finish(current)
            raise
        except Exception as failure:
            await self._finish(current, error=f"{type(failure).__name__}: {failure}")
            raise
        else:
            await self._finish(current)
        finally:
            RECEIPT.reset(token)
            if task is not None:
                self._running.discard(task)

    async def _finish(self, current: Current, *, error: str | None = None) -> None:
        if not current.settled:
            await self.store.finish_receipt(current.key, now=self.clock(), error=error)

    async def recover_once(self) -> int:
        """Rerun every receipt left unfinished by a process that stopped; returns how many were started."""
        total = 0
        while not self._stopping.is_set():
            receipts = await self.store.lease_unfinished(
                owner=self.owner, now=self.clock(), lease=self.lease, kinds=list(self._replayers)
            )
            if not receipts:
                return total
            await asyncio.gather(*(self._rerun(receipt) for receipt in receipts))
            total += len(receipts)
        return total

    async def _rerun(self, receipt: Receipt) -> None:
        if receipt.attempts > self.max_attempts:
            logger.error(
                "inbox: %s (%s) gave up after %d starts", receipt.key, receipt.kind, receipt.attempts
            )
            await self.store.finish_receipt(
                receipt.key, now=self.clock(), error=f"gave up after {receipt.attempts - 1} starts"
            )
            return
        replayer = next(r for prefix, r in self._replayers.items() if receipt.kind.startswith(prefix))
        logger.info("inbox: rerunning %s (%s), start %d", receipt.key, receipt.kind, receipt.attempts)
        async with self._slots:
            try:
                async with self.working(receipt):
                    await replayer(receipt)
            except Exception as error:  # a failing rerun must not stop the others; it is retried later
                logger.exception("inbox: rerunning %s failed", receipt.key)
                await self.store.finish_receipt(
                    receipt.key, now=self.clock(), error=f"{type(error).__name__}: {error}"
                )

    async def run_forever(self) -> None:
        """Recover at start, then every `poll` seconds, until `drain` (or cancellation)."""
        while not self._stopping.is_set():
            try:
                await self.recover_once()
            except Exception:  # the database may be briefly away; keep recovering
                logger.exception("inbox: recovery pass failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.poll)

    async def drain(self, *, within: float) -> int:
        """Stop taking work; wait up to `within` seconds for work in flight; cancel the rest and release
        its leases so the next start reruns it. Returns how many were left to the next start."""
        self._stopping.set()
        running = {task for task in self._running if task is not asyncio.current_task()}
        if running:
            _, left = await asyncio.wait(running, timeout=within)
        else:
            left = set()
        for task in left:
            task.cancel()
        if left:
            await asyncio.gather(*left, return_exceptions=True)
        released = await self.store.release_receipts(owner=self.owner)
        if released:
            logger.warning("inbox: %d interactions left for the next start", released)
        return released
