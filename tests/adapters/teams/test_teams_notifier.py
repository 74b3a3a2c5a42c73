"""TeamsNotifier against the fake Bot Connector: channel posts, thread replies, updates, DMs and failures."""

from __future__ import annotations

import json

import pytest

from bot.models import MessageRef, Platform
from bot.ports import ChannelTarget, DeliveryError, PersonTarget, ThreadTarget
from bot.replies import Mention, Reply
from handlers.teams import unseen_channels
from handlers.teams.notifier import TeamsNotifier
from tests.adapters.teams.conftest import CHANNEL, Teams


def notifier_of(teams: Teams) -> TeamsNotifier:
    notifier = teams.services.notifier._notifiers[Platform.TEAMS]  # the one mount() registered
    assert isinstance(notifier, TeamsNotifier)
    return notifier


async def test_a_channel_the_bot_never_saw_is_a_permanent_failure_and_reported(teams: Teams) -> None:
    with pytest.raises(DeliveryError) as failure:
        await notifier_of(teams).post(ChannelTarget(Platform.TEAMS, CHANNEL), Reply(text="x"))

    assert failure.value.retryable is False
    assert "never seen Teams channel" in str(failure.value)
    problems = await unseen_channels(teams.services.store, teams.services.config)
    assert any(CHANNEL in p and p.startswith("regions.PL.") for p in problems)
    assert len(problems) == 4


async def test_installing_in_a_channel_makes_it_seen(teams: Teams) -> None:
    await teams.install_in_channel()

    problems = await unseen_channels(teams.services.store, teams.services.config)

    assert not any(CHANNEL in p for p in problems)
    assert len(problems) == 3


async def test_post_thread_reply_and_update_address_the_right_conversations(teams: Teams) -> None:
    await teams.install_in_channel()
    notifier = notifier_of(teams)

    card = await notifier.post(ChannelTarget(Platform.TEAMS, CHANNEL), Reply(title="CS-7 · Refund"))
    await notifier.post(
        ThreadTarget(card), Reply(text="new case", mentions=(Mention("Ola", ((Platform.TEAMS, "29:ola"),)),))
    )
    await notifier.update(card, Reply(title="CS-7 · Refund (claimed)"))

    post, ping = teams.connector.of("send")
    (update,) = teams.connector.of("update")
    assert post.conversation == CHANNEL
    assert card.key == f"{CHANNEL};messageid={post.result_id}"
    assert ping.conversation == card.key
    assert ping.mentioned == ["29:ola"]
    assert (update.conversation, update.activity_id) == (card.key, post.result_id)
    assert "claimed" in update.texts[0]
    assert "replyToId" not in post.body


async def test_direct_message_opens_a_chat_once_and_reuses_it(teams: Teams) -> None:
    await teams.install_in_channel()
    notifier = notifier_of(teams)

    await notifier.post(PersonTarget(Platform.TEAMS, "29:tom"), Reply(text="one"))
    await notifier.post(PersonTarget(Platform.TEAMS, "29:tom"), Reply(text="two"))

    (create,) = teams.connector.of("create")
    assert create.body["members"] == [{"id": "29:tom"}]
    assert create.body["channelData"] == {"tenant": {"id": "tenant-1"}}
    sent = teams.connector.of("send")
    assert [c.conversation for c in sent] == [f"a:chat-{create.result_id}"] * 2


@pytest.mark.parametrize(
    ("status", "headers", "retryable", "after"),
    [
        (429, {"Retry-After": "7"}, True, 7.0),
        (503, {}, True, None),
        (403, {}, False, None),
        (404, {}, False, None),
    ],
)
async def test_connector_errors_map_to_delivery_errors(
    teams: Teams, status: int, headers: dict[str, str], retryable: bool, after: float | None
) -> None:
    await teams.install_in_channel()
    teams.connector.fail_next.append((status, headers))

    with pytest.raises(DeliveryError) as failure:
        await notifier_of(teams).post(ChannelTarget(Platform.TEAMS, CHANNEL), Reply(text="x"))

    assert failure.value.retryable is retryable
    assert failure.value.retry_after == after


async def test_an_unreachable_connector_is_worth_retrying(teams: Teams) -> None:
    await teams.install_in_channel()
    data = json.loads(await teams.services.store.conversation(f"teams:channel:{CHANNEL}") or "{}")
    data["serviceUrl"] = "http://127.0.0.1:9/"  # discard port: nothing listens
    await teams.services.store.save_conversation(
        f"teams:channel:{CHANNEL}",
        platform=Platform.TEAMS,
        data=json.dumps(data),
        now=teams.services.desk.clock(),
    )

    with pytest.raises(DeliveryError) as failure:
        await notifier_of(teams).post(ChannelTarget(Platform.TEAMS, CHANNEL), Reply(text="x"))

    assert failure.value.retryable is True


async def test_thread_refs_of_other_messages_are_not_case_keys(teams: Teams) -> None:
    await teams.install_in_channel()
    notifier = notifier_of(teams)
    card = await notifier.post(ChannelTarget(Platform.TEAMS, CHANNEL), Reply(title="card"))

    reply_ref = await notifier.post(ThreadTarget(card), Reply(text="ping"))

    assert reply_ref.key == ""
    assert isinstance(reply_ref, MessageRef)
