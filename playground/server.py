"""The browser side of the playground: the page, its JSON API of people's actions, and live updates (SSE).

Routes (all on the bot's own aiohttp app):
- `GET /` the page; `GET /playground/static/...` its CSS and JavaScript;
- `GET /playground/api/state?user=U..` everything that person can see (channels, messages, their
  ephemerals, open modals, App Home) plus the demo people to switch between;
- `POST /playground/api/{say,command,click,submit,close,react,home,shortcut}` one action by `user`:
  the workspace changes as Slack's would, and the payload Slack would send is signed and posted to
  the bot's `/slack/events`;
- `GET /playground/api/events?user=U..` server-sent events, one per workspace change that person can see.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import Config
from playground.app_link import AppLink, Delivered
from playground.records import JSON, Change, Ephemeral, Message, SlackError, dumps
from playground.slack_api import SlackWebApi
from playground.workspace import Workspace

logger = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
COMMANDS = ("/escalate", "/cases", "/oncall", "/report")
SHORTCUTS = {"escalate_message": "Escalate this message"}
HEARTBEAT = 15.0


@dataclass(frozen=True, slots=True)
class Person:
    """One demo person the browser can act as."""

    id: str
    name: str
    role: str
    regions: tuple[str, ...]
    slack: str
    language: str


class ActionError(Exception):
    """An action the playground refuses, as Slack's client would (unknown command, missing message)."""

    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code, self.status = code, status


class Playground:
    """The workspace, its Web API, and the link that delivers people's actions to the bot."""

    def __init__(self, api: SlackWebApi, *, config: Config, events_url: str, signing_secret: str) -> None:
        self.api = api
        self.workspace: Workspace = api.workspace
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.people = [
            Person(p.id, p.name, p.role.value, tuple(p.regions), p.slack, p.language)
            for p in config.people
            if p.slack
        ]
        self.link = AppLink(api, events_url=events_url, signing_secret=signing_secret, prefer_socket=False)
        self._streams: set[asyncio.Queue[Change | None]] = set()

    # --- wiring -----------------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/", self.index, name="playground")
        app.router.add_static("/playground/static/", STATIC, append_version=True)
        app.router.add_get("/playground/api/people", self.list_people)
        app.router.add_get("/playground/api/state", self.state)
        app.router.add_get("/playground/api/events", self.events)
        actions: dict[str, Callable[[JSON], Awaitable[JSON]]] = {
            "say": self.say,
            "command": self.command,
            "click": self.click,
            "submit": self.submit,
            "close": self.close,
            "react": self.react,
            "home": self.home,
            "shortcut": self.shortcut,
        }
        for name, action in actions.items():
            app.router.add_post(f"/playground/api/{name}", _json_action(action))
        app.cleanup_ctx.append(self._session)
        app.on_shutdown.append(self._end_streams)

    async def _session(self, app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            self.link = AppLink(
                self.api,
                events_url=self.events_url,
                signing_secret=self.signing_secret,
                session=session,
                prefer_socket=False,
            )
            yield

    async def _end_streams(self, app: web.Application) -> None:
        for queue in list(self._streams):
            queue.put_nowait(None)

    # --- reading ----------------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def list_people(self, request: web.Request) -> web.Response:
        return web.json_response({"people": [_person_json(p) for p in self.people]}, dumps=dumps)

    async def state(self, request: web.Request) -> web.Response:
        user = request.query.get("user", "")
        if not any(p.slack == user for p in self.people):
            return web.json_response({"ok": False, "error": "unknown_user"}, status=404)
        self.workspace.open_im(user)
        body = {
            **self.workspace.snapshot(user),
            "me": user,
            "people": [_person_json(p) for p in self.people],
            "commands": list(COMMANDS),
            "shortcuts": [{"callback_id": k, "name": v} for k, v in SHORTCUTS.items()],
        }
        return web.json_response(body, dumps=dumps)

    async def events(self, request: web.Request) -> web.StreamResponse:
        user = request.query.get("user", "")
        if not any(p.slack == user for p in self.people):
            raise web.HTTPNotFound(text="unknown user")
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        queue: asyncio.Queue[Change | None] = asyncio.Queue()
        self._streams.add(queue)
        unsubscribe = self.workspace.subscribe(
            lambda change: queue.put_nowait(change) if self.visible(change, user) else None
        )
        try:
            await response.write(b"retry: 1000\n\n")
            while True:
                try:
                    change = await asyncio.wait_for(queue.get(), HEARTBEAT)
                except TimeoutError:
                    await response.write(b": ping\n\n")
                    continue
                if change is None:
                    break
                data = dumps({"kind": change.kind, "data": change.data})
                await response.write(f"event: change\ndata: {data}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            unsubscribe()
            self._streams.discard(queue)
        return response

    def visible(self, change: Change, user: str) -> bool:
        """Whether `user` may see `change`: their own ephemerals, views and home; channels they can read."""
        data = change.data
        if change.kind == "ephemeral" or change.kind.startswith("view_") or change.kind == "home":
            return bool(data.get("user") == user)
        channel = self.workspace.channels.get(str(data.get("channel", "")))
        return channel is not None and (not channel.is_im or channel.user == user)

    # --- people's actions -------------------------------------------------------------------------

    async def say(self, body: JSON) -> JSON:
        user = self._person(body.get("user"))
        channel = str(body.get("channel", ""))
        text = str(body.get("text", "")).strip()
        if not text:
            raise ActionError("no_text")
        thread_ts = body.get("thread_ts") or None
        return await self._deliver(self.workspace.say(user, channel, text, thread_ts=thread_ts))

    async def command(self, body: JSON) -> JSON:
        user = self._person(body.get("user"))
        channel = str(body.get("channel", ""))
        name = str(body.get("command", ""))
        if name not in COMMANDS:
            raise ActionError("unknown_command")
        payload = self.workspace.command(user, channel, name, str(body.get("text", "")).strip())
        delivered = await self.link.deliver(payload)
        self._show_command_ack(user, self.workspace.channel(channel).id, delivered)
        return _result([delivered])

    async def click(self, body: JSON) -> JSON:
        user = self._person(body.get("user"))
        target: Message | Ephemeral | None = None
        view_id = body.get("view_id") or None
        if not view_id:
            target = self._ephemeral(user, str(body.get("ts"))) if body.get("ephemeral") else None
            target = target or self.workspace.message(str(body.get("channel")), str(body.get("ts")))
        payload = self.workspace.click(
            user,
            action_id=str(body.get("action_id", "")),
            value=str(body.get("value", "")),
            message=target,
            view_id=view_id,
        )
        return await self._deliver([payload])

    async def submit(self, body: JSON) -> JSON:
        user = self._person(body.get("user"))
        raw = body.get("values") or {}
        values = {str(k): str(v) for k, v in raw.items() if v is not None}
        return await self._deliver([self.workspace.submit(user, str(body.get("view_id")), values)])

    async def close(self, body: JSON) -> JSON:
        user = self._person(body.get("user"))
        view = self.workspace.views.get(str(body.get("view_id")))
        if view is None or view.user != user:
            raise ActionError("view_not_found", 404)
        self.workspace.close_view(view.id)
        return {"ok": True}

    async def react(self, body: JSON) -> JSON:
        user = self._person(body.get("user"))
        payload = self.workspace.react(
            user, str(body.get("channel")), str(body.get("ts")), str(body.get("name", ""))
        )
        return await self._deliver([payload])

    async def home(self, body: JSON) -> JSON:
        return await self._deliver([self.workspace.open_home(self._person(body.get("user")))])

    async def shortcut(self, body: JSON) -> JSON:
        user = self._person(body.get("user"))
        callback_id = str(body.get("callback_id", ""))
        if callback_id not in SHORTCUTS:
            raise ActionError("unknown_shortcut")
        payload = self.workspace.shortcut(user, str(body.get("channel")), str(body.get("ts")), callback_id)
        return await self._deliver([payload])

    # --- helpers ----------------------------------------------------------------------------------

    def _person(self, user: Any) -> str:
        if not any(p.slack == user for p in self.people):
            raise ActionError("unknown_user", 404)
        return str(user)

    def _ephemeral(self, user: str, ts: str) -> Ephemeral | None:
        return next((e for e in self.workspace.ephemerals_for(user) if e.ts == ts), None)

    async def _deliver(self, payloads: list[JSON]) -> JSON:
        return _result([await self.link.deliver(p) for p in payloads])

    def _show_command_ack(self, user: str, channel: str, delivered: Delivered) -> None:
        """A slash command's ack with text or blocks is shown to the caller only, as Slack does."""
        body = delivered.body
        if isinstance(body, str) and body.strip():
            self.workspace.post_ephemeral(channel, user, text=body)
        elif isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            self.workspace.post_ephemeral(
                channel, user, text=str(body.get("text") or ""), blocks=body.get("blocks")
            )


def _person_json(person: Person) -> JSON:
    return {
        "id": person.id,
        "name": person.name,
        "role": person.role,
        "regions": list(person.regions),
        "slack": person.slack,
        "language": person.language,
    }


def _result(delivered: list[Delivered]) -> JSON:
    failed = [d for d in delivered if d.status != 200]
    if failed:
        raise ActionError(f"the bot answered HTTP {failed[0].status}", 502)
    return {"ok": True, "acks": [d.body for d in delivered if d.body]}


def _json_action(
    action: Callable[[JSON], Awaitable[JSON]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "invalid_json"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"ok": False, "error": "invalid_json"}, status=400)
        try:
            return web.json_response(await action(body), dumps=dumps)
        except ActionError as error:
            return web.json_response({"ok": False, "error": error.code}, status=error.status)
        except SlackError as error:
            return web.json_response({"ok": False, "error": error.code}, status=400)
        except aiohttp.ClientError as error:
            logger.warning("playground: could not reach the bot at /slack/events: %s", error)
            return web.json_response({"ok": False, "error": "bot_unreachable"}, status=502)

    return handle


PLAYGROUND = web.AppKey("playground", Playground)
