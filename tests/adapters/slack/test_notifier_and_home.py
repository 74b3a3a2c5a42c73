"""SlackNotifier against the fake Web API (refs, DMs, error classes), /oncall, App Home and the shortcut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.i18n import t
from bot.models import CaseId, Platform
from bot.ports import ChannelTarget, DeliveryError, PersonTarget, ThreadTarget
from bot.replies import Reply
from handlers.slack import web_client
from handlers.slack.notifier import SlackNotifier
from playground.slack_api import Failure
from tests.adapters.slack.rig import (
    AMY,
    GENERAL,
    JAN,
    KASIA,
    PL_CHANNEL,
    TOKEN,
    Rig,
    block_text,
    rig_settings,
)
from tests.fakes.fake_slack import FakeSlack


@pytest.fixture
def notifier(fake_slack: FakeSlack, tmp_path: Path) -> SlackNotifier:
    settings = rig_settings(tmp_path, fake_slack.url)
    return SlackNotifier(web_client(settings))


async def test_posted_card_ref_has_its_channel_and_ts_and_a_lookup_key(
    fake_slack: FakeSlack, notifier: SlackNotifier
) -> None:
    ref = await notifier.post(ChannelTarget(Platform.SLACK, PL_CHANNEL), Reply(text="card"))

    [message] = fake_slack.workspace.history(PL_CHANNEL)
    assert json.loads(ref.data) == {"channel": PL_CHANNEL, "ts": message.ts}
    assert ref.key == f"{PL_CHANNEL}/{message.ts}"
    assert fake_slack.api.calls[0].token == TOKEN

    await notifier.post(ThreadTarget(ref), Reply(text="ping"))
    await notifier.update(ref, Reply(text="card, claimed"))
    assert [m.text for m in fake_slack.workspace.thread(PL_CHANNEL, message.ts)] == ["ping"]
    assert fake_slack.workspace.history(PL_CHANNEL)[0].text == "card, claimed"


async def test_direct_messages_open_the_conversation_once(
    fake_slack: FakeSlack, notifier: SlackNotifier
) -> None:
    await notifier.post(PersonTarget(Platform.SLACK, JAN), Reply(text="one"))
    await notifier.post(PersonTarget(Platform.SLACK, JAN), Reply(text="two"))

    assert len(fake_slack.api.calls_to("conversations.open")) == 1
    assert [m.text for m in fake_slack.workspace.history("D0JAN")] == ["one", "two"]


async def test_rate_limit_is_retried_by_the_client_then_reported_with_retry_after(
    fake_slack: FakeSlack, notifier: SlackNotifier
) -> None:
    fake_slack.api.fail("chat.postMessage", Failure("ratelimited", status=429, retry_after=0, times=2))

    with pytest.raises(DeliveryError) as raised:
        await notifier.post(ChannelTarget(Platform.SLACK, PL_CHANNEL), Reply(text="card"))

    assert raised.value.retryable
    assert raised.value.retry_after == 0
    assert len(fake_slack.api.calls_to("chat.postMessage")) == 2  # slack_sdk's retry handler tried once more


async def test_a_single_rate_limit_is_absorbed_by_the_retry_handler(
    fake_slack: FakeSlack, notifier: SlackNotifier
) -> None:
    fake_slack.api.fail("chat.postMessage", Failure("ratelimited", status=429, retry_after=0))

    await notifier.post(ChannelTarget(Platform.SLACK, PL_CHANNEL), Reply(text="card"))

    assert len(fake_slack.workspace.history(PL_CHANNEL)) == 1


async def test_unknown_channel_is_not_retryable(notifier: SlackNotifier) -> None:
    with pytest.raises(DeliveryError) as raised:
        await notifier.post(ChannelTarget(Platform.SLACK, "C0NOWHERE"), Reply(text="card"))
    assert not raised.value.retryable


async def test_server_errors_are_retryable(fake_slack: FakeSlack, notifier: SlackNotifier) -> None:
    fake_slack.api.fail("chat.update", Failure("internal_error", status=500))
    ref = await notifier.post(ChannelTarget(Platform.SLACK, PL_CHANNEL), Reply(text="card"))

    with pytest.raises(DeliveryError) as raised:
        await notifier.update(ref, Reply(text="x"))
    assert raised.value.retryable


async def test_a_failed_card_post_is_retried_by_the_job_machinery(rig: Rig) -> None:
    await rig.command(KASIA, "/escalate", "Customer wants a refund for a broken TV")
    rig.api.fail("chat.postMessage", Failure("service_unavailable", status=503, times=2))

    await rig.submit(KASIA)
    assert rig.cards() == []
    for _ in range(2):
        rig.clock.advance(minutes=10)
        await rig.settle()

    assert len(rig.cards()) == 1
    assert len(rig.api.calls_to("chat.postMessage")) >= 3


async def test_oncall_shows_who_is_on_duty_privately(rig: Rig) -> None:
    await rig.command(JAN, "/oncall", "PL")
    await rig.command(JAN, "/oncall", "cover nobody 99:00")

    [shown, usage] = rig.ws.ephemerals_for(JAN)
    assert "Jan Kowalski" in block_text(shown.blocks)
    assert usage.text == t("pl", "oncall.usage")


async def test_app_home_shows_the_queue_and_who_is_on_duty(rig: Rig) -> None:
    await rig.deliver(rig.ws.open_home(JAN))

    home = rig.ws.homes[JAN].view
    assert home["type"] == "home"
    assert t("pl", "queue.title") in block_text(home["blocks"])


async def test_escalate_this_message_shortcut_prefills_text_and_permalink(rig: Rig) -> None:
    await rig.say(AMY, GENERAL, "Customer at till 3 threatens to call the press")
    message = rig.ws.history(GENERAL)[-1]

    await rig.deliver(rig.ws.shortcut(AMY, GENERAL, message.ts, "escalate_message"))
    modal = rig.last_view(AMY).view
    details = next(b for b in modal["blocks"] if b.get("block_id") == "details")["element"]["initial_value"]
    assert "threatens to call the press" in details
    assert rig.ws.permalink(GENERAL, message.ts) in details

    await rig.submit(AMY, {"region": "UK"})
    case = await rig.services.desk.case(CaseId(1))
    assert case.source is not None
    assert case.source.key == f"{GENERAL}/{message.ts}"
