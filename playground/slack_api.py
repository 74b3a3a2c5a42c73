"""The Slack side of the wire for a `Workspace`: the Web API methods the bot calls, a Socket Mode server,
and `AppLink`, which delivers people's actions to the bot as Slack does (signed HTTP or Socket Mode).

Mount the Web API on any aiohttp app under a prefix (`add_routes(app, api, prefix="/slack-api/")`)
and give the bot `SLACK_API_URL=http://host:port/slack-api/`; `apps.connections.open` hands out the
Socket Mode URL on the same prefix. Every call is recorded in `api.calls` and can be awaited with
`await api.wait_for("chat.postMessage", count=2)`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from playground.workspace import JSON, SlackError, Workspace, dumps

BOT_SCOPES = (
    "app_mentions:read,channels:history,chat:write,commands,groups:history,im:history,im:write,"
    "reactions:read,reactions:write,users:read"
)


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Web API call the bot made: method, its arguments (JSON-decoded), and the answer it got."""

    method: str
    args: JSON
    token: str
    response: JSON


@dataclass
class Failure:
    """An error to answer the next call(s) of a method with (rate limits, outages), for tests."""

    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1


class SlackWebApi:
    """The Web API methods of the bot, served from a `Workspace`. Any token is accepted and recorded."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.calls: list[ApiCall] = []
        self.failures: dict[str, list[Failure]] = {}
        self.socket = SocketModeServer()
        self._changed = asyncio.Condition()
        self._methods: dict[str, Callable[[JSON], JSON]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.getPermalink": self._permalink,
            "conversations.open": self._conversations_open,
            "reactions.add": self._reactions_add,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_open,
            "views.publish": self._views_publish,
        }

    # --- for tests and the UI --------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, *, within: float = 5.0) -> list[ApiCall]:
        """Wait until `method` has been called at least `count` times in all; returns those calls."""

        def enough() -> bool:
            return len(self.calls_to(method)) >= count

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(enough), within)
        return self.calls_to(method)

    def fail(self, method: str, failure: Failure) -> None:
        self.failures.setdefault(method, []).append(failure)

    # --- dispatch -----------------------------------------------------------------------------------

    async def call(
        self, method: str, args: JSON, *, token: str = "", ws_url: str = ""
    ) -> tuple[int, JSON, dict[str, str]]:
        """Run one method; returns (HTTP status, JSON body, headers) as Slack would."""
        status, headers = 200, {}
        failure = self._take_failure(method)
        if failure is not None:
            status = failure.status
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            body: JSON = {"ok": False, "error": failure.error}
        elif method == "apps.connections.open":
            body = (
                {"ok": True, "url": ws_url}
                if token.startswith("xapp-")
                else {"ok": False, "error": "not_allowed_token_type"}
            )
        elif method not in self._methods:
            body = {"ok": False, "error": "unknown_method"}
        else:
            try:
                body = {"ok": True, **self._methods[method](args)}
            except SlackError as error:
                body = {"ok": False, "error": error.code}
        self.calls.append(ApiCall(method, args, token, body))
        async with self._changed:
            self._changed.notify_all()
        return status, body, headers

    def _take_failure(self, method: str) -> Failure | None:
        queue = self.failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    # --- methods -------------------------------------------------------------------------------------

    def _auth_test(self, args: JSON) -> JSON:
        ws = self.workspace
        return {
            "url": f"https://{ws.domain}.slack.com/",
            "team": ws.domain,
            "user": ws.users[ws.bot_user_id].name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _post_message(self, args: JSON) -> JSON:
        message = self.workspace.post_message(
            str(args.get("channel", "")),
            text=str(args.get("text") or ""),
            blocks=_blocks(args.get("blocks")),
            thread_ts=args.get("thread_ts") or None,
        )
        return {"channel": message.channel, "ts": message.ts, "message": message.to_json()}

    def _update(self, args: JSON) -> JSON:
        message = self.workspace.update_message(
            str(args.get("channel", "")),
            str(args.get("ts", "")),
            text=str(args.get("text") or ""),
            blocks=_blocks(args.get("blocks")),
        )
        return {"channel": message.channel, "ts": message.ts, "text": message.text}

    def _post_ephemeral(self, args: JSON) -> JSON:
        ephemeral = self.workspace.post_ephemeral(
            str(args.get("channel", "")),
            str(args.get("user", "")),
            text=str(args.get("text") or ""),
            blocks=_blocks(args.get("blocks")),
            thread_ts=args.get("thread_ts") or None,
        )
        return {"message_ts": ephemeral.ts}

    def _permalink(self, args: JSON) -> JSON:
        channel = str(args.get("channel", ""))
        return {
            "channel": channel,
            "permalink": self.workspace.permalink(channel, str(args.get("message_ts"))),
        }

    def _conversations_open(self, args: JSON) -> JSON:
        users = str(args.get("users", "")).split(",")
        if len(users) != 1 or not users[0]:
            raise SlackError("not_implemented" if len(users) > 1 else "users_list_not_supplied")
        return {"channel": {"id": self.workspace.open_im(users[0]).id}}

    def _reactions_add(self, args: JSON) -> JSON:
        self.workspace.add_reaction(
            str(args.get("channel")), str(args.get("timestamp")), str(args.get("name"))
        )
        return {}

    def _users_info(self, args: JSON) -> JSON:
        user = self.workspace.user(str(args.get("user", "")))
        include_locale = str(args.get("include_locale", "")).lower() in ("1", "true")
        return {"user": user.to_json(team_id=self.workspace.team_id, include_locale=include_locale)}

    def _view_json(self, view_id: str) -> JSON:
        ws = self.workspace
        view = ws.views.get(view_id) or next(v for v in ws.homes.values() if v.id == view_id)
        return {"view": view.to_json(team_id=ws.team_id, app_id=ws.app_id, bot_id=ws.bot_id)}

    def _views_open(self, args: JSON) -> JSON:
        view = self.workspace.open_view(str(args.get("trigger_id", "")), _json(args.get("view")))
        return self._view_json(view.id)

    def _views_update(self, args: JSON) -> JSON:
        view = self.workspace.update_view(
            str(args.get("view_id", "")), _json(args.get("view")), hash=args.get("hash") or None
        )
        return self._view_json(view.id)

    def _views_publish(self, args: JSON) -> JSON:
        home = self.workspace.publish_home(str(args.get("user_id", "")), _json(args.get("view")))
        return self._view_json(home.id)


def _json(value: Any) -> JSON:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise SlackError("invalid_arguments")
    return value


def _blocks(value: Any) -> list[JSON] | None:
    if value is None or value == "":
        return None
    blocks = json.loads(value) if isinstance(value, str) else value
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    return blocks


async def _read_args(request: web.Request) -> JSON:
    args: JSON = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            args.update(await request.json())
        else:
            args.update(dict(await request.post()))
    return args


def routes(api: SlackWebApi, *, prefix: str = "/slack-api/") -> list[web.RouteDef]:
    """The Web API (`{prefix}{method}`) and the Socket Mode websocket (`{prefix}socket-mode`)."""
    prefix = "/" + prefix.strip("/") + "/"

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        args = await _read_args(request)
        token = token or str(args.pop("token", ""))
        scheme = "wss" if request.secure else "ws"
        ws_url = f"{scheme}://{request.host}{prefix}socket-mode"
        status, body, headers = await api.call(name, args, token=token, ws_url=ws_url)
        return web.json_response(body, status=status, headers=headers)

    return [
        web.get(f"{prefix}socket-mode", api.socket.handle),
        web.route("*", prefix + "{method:[a-zA-Z.]+}", method),
    ]


def add_routes(app: web.Application, api: SlackWebApi, *, prefix: str = "/slack-api/") -> None:
    app.router.add_routes(routes(api, prefix=prefix))


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


def signature(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 request signature of `body` sent at `timestamp`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: str, *, timestamp: float | None = None, content_type: str
) -> dict[str, str]:
    stamp = str(int(time.time() if timestamp is None else timestamp))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret, stamp, body),
    }


def encode(kind: str, payload: JSON | dict[str, str]) -> tuple[str, str]:
    """The HTTP body and content type Slack uses for an event, a slash command or an interaction."""
    if kind == "events_api":
        return dumps(payload), "application/json"
    if kind == "slash_commands":
        return urllib.parse.urlencode(payload), "application/x-www-form-urlencoded"
    return urllib.parse.urlencode({"payload": dumps(payload)}), "application/x-www-form-urlencoded"


def kind_of(payload: JSON | dict[str, str]) -> str:
    if payload.get("type") == "event_callback":
        return "events_api"
    return "slash_commands" if "command" in payload else "interactive"


@dataclass
class Delivered:
    """The app's answer to one delivery: HTTP status and body (JSON when it parses)."""

    status: int
    body: Any = None
    elapsed: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)


class AppLink:
    """Delivers people's actions to the bot: signed HTTP posts to `events_url`, or Socket Mode when the
    bot is connected (and `prefer_socket`). View submissions apply the app's ack to the workspace."""

    def __init__(
        self,
        api: SlackWebApi,
        *,
        events_url: str = "",
        signing_secret: str = "",
        session: aiohttp.ClientSession | None = None,
        prefer_socket: bool = True,
    ) -> None:
        self.api = api
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.prefer_socket = prefer_socket
        self._session = session

    async def deliver(self, payload: JSON | dict[str, str], *, retry_num: int | None = None) -> Delivered:
        kind = kind_of(payload)
        started = time.perf_counter()
        if self.prefer_socket and self.api.socket.connections:
            ack = await self.api.socket.send(kind, dict(payload))
            delivered = Delivered(200, ack.get("payload"))
        else:
            delivered = await self._post(kind, payload, retry_num=retry_num)
        delivered.elapsed = time.perf_counter() - started
        if payload.get("type") == "view_submission" and delivered.status == 200:
            body = delivered.body if isinstance(delivered.body, dict) else None
            view: Any = payload["view"]
            self.api.workspace.apply_view_response(str(view["id"]), body)
        return delivered

    async def deliver_all(self, payloads: list[JSON]) -> list[Delivered]:
        return [await self.deliver(p) for p in payloads]

    async def _post(self, kind: str, payload: JSON | dict[str, str], *, retry_num: int | None) -> Delivered:
        body, content_type = encode(kind, payload)
        headers = signed_headers(self.signing_secret, body, content_type=content_type)
        if retry_num is not None:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        session = self._session or aiohttp.ClientSession()
        try:
            async with session.post(self.events_url, data=body.encode(), headers=headers) as response:
                text = await response.text()
        finally:
            if self._session is None:
                await session.close()
        try:
            parsed: Any = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return Delivered(response.status, parsed)
