"""The rig's wait for listener work (listener_work.py): it waits for what a listener does after its ack,
and for nothing started outside a request."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from tests.adapters.slack.listener_work import ListenerWork
from tests.adapters.slack.rig import AMY, GENERAL, SECRET, TOKEN
from tests.fakes.fake_slack import FakeSlack


def slash_command(command: str) -> AsyncBoltRequest:
    body = urlencode(
        {
            "command": command,
            "text": "",
            "user_id": AMY,
            "channel_id": GENERAL,
            "team_id": "T0",
            "trigger_id": "1",
        }
    )
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})


async def test_waits_for_the_work_after_the_ack_and_only_for_it(fake_slack: FakeSlack) -> None:
    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=fake_slack.url),
        signing_secret=SECRET,
        request_verification_enabled=False,
    )
    listeners = ListenerWork()
    app.use(listeners)
    may_finish = asyncio.Event()
    done: list[str] = []

    async def on_slow(ack: AsyncAck) -> None:
        await ack()
        await may_finish.wait()
        done.append("slow")

    app.command("/slow")(on_slow)
    stop_tracking = listeners.track(asyncio.get_running_loop())
    try:
        outside = asyncio.create_task(asyncio.Event().wait())  # not started by a request: never waited for
        response = await asyncio.create_task(app.async_dispatch(slash_command("/slow")))  # a task per request
        assert (response.status, done) == (200, [])  # acknowledged, still working
        assert len(listeners.pending()) == 1

        may_finish.set()
        await listeners.finished()

        assert (done, listeners.pending()) == (["slow"], [])
        assert not outside.done()
        outside.cancel()
    finally:
        stop_tracking()
