"""A fake Bot Connector service on 127.0.0.1: the conversation endpoints the Teams bot calls, recording each call.

Activities in tests carry `serviceUrl = connector.url`, so botbuilder sends its replies, proactive posts,
card updates and new 1:1 chats here. `fail_next` makes the next calls answer with an HTTP error status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

from aiohttp import web


@dataclass
class Call:
    method: str  # "create", "send", "reply", "update"
    conversation: str = ""
    activity_id: str = ""  # the activity replied to or updated
    body: dict[str, Any] = field(default_factory=dict)
    result_id: str = ""  # the id the connector gave the new activity

    @property
    def card(self) -> dict[str, Any]:
        """The Adaptive Card the activity carries (the first attachment)."""
        content: dict[str, Any] = self.body["attachments"][0]["content"]
        return content

    @property
    def texts(self) -> list[str]:
        """Every TextBlock text of the card, in order, including those inside containers."""
        found: list[str] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                if item.get("type") == "TextBlock":
                    found.append(item["text"])
                walk(item.get("items", []))

        walk(self.card.get("body", []))
        return found

    @property
    def mentioned(self) -> list[str]:
        """Account ids the card mentions (its msteams.entities)."""
        entities = self.card.get("msteams", {}).get("entities", [])
        return [e["mentioned"]["id"] for e in entities if e.get("type") == "mention"]


class FakeBotConnector:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.fail_next: list[tuple[int, dict[str, str]]] = []
        self._ids = count(1000)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._reply)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        self.calls.clear()

    async def _record(self, request: web.Request, method: str) -> web.Response:
        if self.fail_next:
            status, headers = self.fail_next.pop(0)
            return web.json_response(
                {"error": {"code": "Fake", "message": "failing on purpose"}}, status=status, headers=headers
            )
        body = await request.json()
        new_id = str(next(self._ids))
        call = Call(
            method,
            conversation=request.match_info.get("conversation", ""),
            activity_id=request.match_info.get("activity", ""),
            body=body,
            result_id=new_id,
        )
        self.calls.append(call)
        if method == "create":
            return web.json_response({"id": f"a:chat-{new_id}", "activityId": new_id, "serviceUrl": self.url})
        if method == "update":
            return web.json_response({"id": call.activity_id})
        return web.json_response({"id": new_id})

    async def _create(self, request: web.Request) -> web.Response:
        return await self._record(request, "create")

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record(request, "send")

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._record(request, "reply")

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record(request, "update")
