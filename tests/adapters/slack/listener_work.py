"""Waiting for what Slack listeners do after their ack, by behaviour rather than by bolt's internal names.

A listener acks first and works afterwards in a task of its own, so neither the HTTP response nor the
Socket Mode ack says when its work ends. `ListenerWork` is a bolt middleware (public API: `app.use`) that
marks the context of every request bolt dispatches; a task factory on the loop notes each task created
in a marked context (the listener's, and any it starts), and `finished()` waits for them.

bolt runs global middleware one after the other before the listeners (its `next` does not nest them), so
the mark cannot be undone after `next()`: it stays set in the task that dispatches the request. That task
is the request's own (aiohttp handles each HTTP request in a new task; slack_sdk each Socket Mode
message), so the mark ends with the request.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

WAIT_S = 5.0  # a listener of these tests that has not finished by then is stuck

_DISPATCHING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "dispatching_a_slack_request", default=False
)


class ListenerWork(AsyncMiddleware):
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        _DISPATCHING.set(True)
        return await next()

    def track(self, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        """Note the tasks started in marked contexts on `loop`; returns the function that stops it."""
        assert loop.get_task_factory() is None, "another task factory is installed on this loop"

        def factory(
            loop: asyncio.AbstractEventLoop,
            coro: Generator[Any, None, Any] | Coroutine[Any, Any, Any],
            context: contextvars.Context | None = None,
        ) -> asyncio.Task[Any]:
            task = asyncio.Task(coro, loop=loop, context=context)
            if _DISPATCHING.get() if context is None else context.get(_DISPATCHING, False):
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return task

        loop.set_task_factory(factory)
        return lambda: loop.set_task_factory(None)

    def pending(self) -> list[asyncio.Task[Any]]:
        return [task for task in self._tasks if not task.done()]

    async def finished(self) -> None:
        """Wait until no listener work is running; AssertionError if some still is after WAIT_S seconds."""
        while pending := self.pending():
            done, _ = await asyncio.wait(pending, timeout=WAIT_S)
            assert done, f"listener work still running after {WAIT_S} s: {pending}"
