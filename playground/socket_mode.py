"""The Slack end of Socket Mode: the websocket the app connects to, envelopes out, acks back."""

from __future__ import annotations

import asyncio
import itertools
import json

import aiohttp
from aiohttp import web

from playground.records import JSON, dumps


class SocketModeServer:
    """The Slack end of Socket Mode: sends envelopes to the connected app and awaits its acks."""

    def __init__(self) -> None:
        self.connections: list[web.WebSocketResponse] = []
        self.connected = asyncio.Event()
        self._pending: dict[str, asyncio.Future[JSON]] = {}
        self._ids = itertools.count(1)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        await ws.send_str(dumps({"type": "hello", "num_connections": len(self.connections) + 1}))
        self.connections.append(ws)
        self.connected.set()
        try:
            async for frame in ws:
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    continue
                ack = json.loads(frame.data)
                future = self._pending.pop(str(ack.get("envelope_id")), None)
                if future is not None and not future.done():
                    future.set_result(ack)
        finally:
            self.connections.remove(ws)
            if not self.connections:
                self.connected.clear()
        return ws

    async def send(self, kind: str, payload: JSON, *, within: float = 3.0) -> JSON:
        """Send one envelope (`events_api`, `slash_commands` or `interactive`); returns the app's ack."""
        if not self.connections:
            raise ConnectionError("no Socket Mode connection")
        envelope_id = f"env-{next(self._ids)}"
        future: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = future
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        await self.connections[-1].send_str(dumps(envelope))
        try:
            return await asyncio.wait_for(future, within)
        finally:
            self._pending.pop(envelope_id, None)

    async def close(self) -> None:
        for ws in list(self.connections):
            await ws.close()
