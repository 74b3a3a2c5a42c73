"""The Slack Web API of a `Workspace`: the methods the bot calls, recorded, and their routes.

Mount it on any aiohttp app under a prefix (`add_routes(app, api, prefix="/slack-api/")`) and give
the bot `SLACK_API_URL=http://host:port/slack-api/`; `apps.connections.open` hands out the Socket
Mode URL on the same prefix. Every call is recorded in `api.calls` and can be awaited with
`await api.wait_for("chat.postMessage", count=2)`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from playground.records import JSON, SlackError
from playground.socket_mode import SocketModeServer
from playground.workspace import Workspace

BOT_SCOPES = (
    "app_mentions:read,channels:history,chat:write,commands,files:write,groups:history,im:history,im:write,"
    "reactions:read,reactions:write,users:read"
)


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Web API call the bot made: method, its arguments (JSON-decoded), and the answer it got."""

    method: str
    args: JSON
    token: str
    response: JSON


HTML_BODY = "_html_body"  # in a failed call's body: serve this text as HTML instead of JSON


@dataclass
class UploadedFile:
    """A file the bot uploaded (`files.getUploadURLExternal`, then its bytes, then `completeUploadExternal`)."""

    id: str
    name: str
    length: int
    data: bytes | None = None
    title: str = ""
    channel: str = ""

    @property
    def mimetype(self) -> str:
        return "image/png" if self.name.lower().endswith(".png") else "application/octet-stream"


@dataclass
class Failure:
    """An error to answer the next call(s) of a method with (rate limits, outages), for tests."""

    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1
    html: str | None = None  # answer with this non-JSON body instead (a proxy's error page)
    content_type: str = "text/html"  # of `html`; a proxy may well call its page application/json


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
            "conversations.history": self._conversations_history,
            "reactions.add": self._reactions_add,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_open,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "files.info": self._files_info,
        }
        self.files: dict[str, UploadedFile] = {}
        self._base_url = ""

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
        self, method: str, args: JSON, *, token: str = "", ws_url: str = "", base_url: str = ""
    ) -> tuple[int, JSON, dict[str, str]]:
        """Run one method; returns (HTTP status, JSON body, headers) as Slack would."""
        status, headers = 200, {}
        self._base_url = base_url or self._base_url
        failure = self._take_failure(method)
        if failure is not None:
            status = failure.status
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
            body: JSON = {"ok": False, "error": failure.error}
            if failure.html is not None:
                body[HTML_BODY] = failure.html
                headers["Content-Type"] = failure.content_type
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
            metadata=_metadata(args.get("metadata")),
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

    def _conversations_history(self, args: JSON) -> JSON:
        """Top-level messages newest first, from `oldest` on, `limit` a page (cursor: an offset);
        metadata only with include_all_metadata, as Slack does."""
        oldest = float(args.get("oldest") or 0)
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        offset = int(args.get("cursor") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        channel = self.workspace.channel(str(args.get("channel", ""))).id
        found = [m for m in reversed(self.workspace.history(channel)) if float(m.ts) >= oldest]
        page = found[offset : offset + limit]
        messages = []
        for message in page:
            body = message.to_json()
            if not with_metadata:
                body.pop("metadata", None)
            messages.append(body)
        more = offset + limit < len(found)
        return {
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(offset + limit) if more else ""},
        }

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

    # --- files (the upload flow that replaced files.upload) ----------------------------------------

    def _file_json(self, file: UploadedFile) -> JSON:
        return {
            "id": file.id,
            "name": file.name,
            "title": file.title or file.name,
            "mimetype": file.mimetype,
            "size": file.length,
            "url_private": f"{self._base_url}_files/{file.id}",
        }

    def _get_upload_url(self, args: JSON) -> JSON:
        name, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not name or not length.isdigit():
            raise SlackError("invalid_arguments")
        file = UploadedFile(f"F{len(self.files) + 1:08d}", name, int(length))
        self.files[file.id] = file
        return {"upload_url": f"{self._base_url}_upload/{file.id}", "file_id": file.id}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        file = self.files.get(file_id)
        if file is None or file.data is not None or len(data) != file.length:
            return False
        file.data = data
        return True

    def _complete_upload(self, args: JSON) -> JSON:
        raw = args.get("files")
        listed = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(listed, list) or not listed:
            raise SlackError("invalid_arguments")
        files = []
        for entry in listed:
            file = self.files.get(str(entry.get("id")))
            if file is None or file.data is None:
                raise SlackError("file_not_found")
            file.title = str(entry.get("title") or file.name)
            files.append(file)
        channel = str(args.get("channel_id") or "")
        if channel:
            blocks: list[JSON] = [
                {"type": "image", "image_url": self._file_json(f)["url_private"], "alt_text": f.title}
                for f in files
            ]
            comment = str(args.get("initial_comment") or "")
            if comment:
                blocks.insert(0, {"type": "section", "text": {"type": "mrkdwn", "text": comment}})
            self.workspace.post_message(
                channel,
                text=comment or files[0].title,
                blocks=blocks,
                thread_ts=args.get("thread_ts") or None,
            )
            for file in files:
                file.channel = channel
        return {"files": [self._file_json(f) for f in files]}

    def _files_info(self, args: JSON) -> JSON:
        file = self.files.get(str(args.get("file") or ""))
        if file is None:
            raise SlackError("file_not_found")
        return {"file": self._file_json(file)}


def _json(value: Any) -> JSON:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise SlackError("invalid_arguments")
    return value


def _metadata(value: Any) -> JSON | None:
    if value is None or value == "":
        return None
    metadata = _json(value)
    if not isinstance(metadata.get("event_type"), str) or not isinstance(metadata.get("event_payload"), dict):
        raise SlackError("invalid_metadata_format")
    return metadata


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
        base_url = f"{request.scheme}://{request.host}{prefix}"
        status, body, headers = await api.call(name, args, token=token, ws_url=ws_url, base_url=base_url)
        if HTML_BODY in body:
            return web.Response(text=str(body[HTML_BODY]), status=status, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    async def upload(request: web.Request) -> web.Response:
        if not api.receive_upload(request.match_info["file_id"], await request.read()):
            return web.Response(status=400, text="unknown file, already uploaded, or wrong length")
        return web.Response(text="OK - " + str(request.content_length or 0))

    async def download(request: web.Request) -> web.Response:
        file = api.files.get(request.match_info["file_id"])
        if file is None or file.data is None:
            raise web.HTTPNotFound()
        return web.Response(body=file.data, content_type=file.mimetype)

    return [
        web.get(f"{prefix}socket-mode", api.socket.handle),
        web.post(prefix + "_upload/{file_id}", upload),
        web.get(prefix + "_files/{file_id}", download),
        web.route("*", prefix + "{method:[a-zA-Z.]+}", method),
    ]


def add_routes(app: web.Application, api: SlackWebApi, *, prefix: str = "/slack-api/") -> None:
    app.router.add_routes(routes(api, prefix=prefix))
