"""Slack through the durable inbox: a request is recorded before its ack, a retry only gets its ack,
and a request recorded by a process that died is worked by the next one from the record."""

from __future__ import annotations

from datetime import timedelta

from handlers.slack.durable import interaction_key
from tests.adapters.slack.rig import JAN, KASIA, OLA, Rig
from tests.adapters.slack.test_cases import SUMMARY, escalate


async def test_an_escalation_recorded_by_a_process_that_died_is_worked_at_the_next_start(rig: Rig) -> None:
    await rig.command(KASIA, "/escalate", SUMMARY)
    payload = rig.ws.submit(KASIA, rig.last_view(KASIA).id)
    key = interaction_key(payload)
    assert key is not None
    recorded = {"body": payload, "bot_user_id": rig.ws.bot_user_id}
    store = rig.services.store
    long_ago = rig.clock() - timedelta(hours=1)
    await store.receive(
        [(key, "slack:on_escalate_submission", recorded)],
        owner="dead",
        now=long_ago,
        lease=timedelta(seconds=30),
    )

    assert await rig.services.inbox.recover_once() == 1
    await rig.settle()

    assert [c.summary for c in await store.active_cases()] == [SUMMARY]
    assert len(rig.cards()) == 1 and len(rig.thread_texts(rig.cards()[0])) == 1  # its card and first ping
    assert await store.receipt_status(key) == "done"
    assert await rig.services.inbox.recover_once() == 0


async def test_a_claim_click_slack_delivers_twice_claims_once(rig: Rig) -> None:
    card = await escalate(rig)
    _, button = next(
        (b["block_id"], e)
        for b in card.blocks
        for e in b.get("elements", [])
        if e.get("action_id") == "case.claim"
    )
    click = rig.ws.click(JAN, action_id="case.claim", value=button["value"], message=card)

    await rig.deliver(click)
    await rig.deliver(click, retry_num=1)

    [case] = await rig.services.store.active_cases()
    claims = [e for e in await rig.services.store.events_of(case.id) if e.kind.value == "claimed"]
    assert len(claims) == 1
    assert rig.ephemeral_texts(JAN) == []  # the retry did not run the claim again ("already claimed")


async def test_a_slack_event_retry_is_answered_without_working_it_again(rig: Rig) -> None:
    dm = rig.dm(OLA)
    [event] = rig.ws.say(OLA, dm, "Czy klient może zwrócić towar bez paragonu?")

    await rig.deliver(event)
    await rig.deliver(event, retry_num=1)

    assert len([m for m in rig.ws.history(dm) if m.user == rig.ws.bot_user_id]) == 1
    assert await rig.services.store.receipt_status(f"slack:event:{event['event_id']}") == "done"


def test_each_interaction_is_keyed_by_slacks_own_ids() -> None:
    event = {
        "type": "event_callback",
        "event_id": "Ev1",
        "event": {"type": "message", "channel_type": "im", "user": "U1"},
    }
    click = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "actions": [{"action_id": "case.claim", "action_ts": "1.5"}],
    }
    view = {
        "type": "view_submission",
        "user": {"id": "U1"},
        "view": {"id": "V1", "state": {"values": {"a": 1}}},
    }
    corrected = {**view, "view": {"id": "V1", "state": {"values": {"a": 2}}}}
    command = {"command": "/oncall", "user_id": "U1", "trigger_id": "T1"}

    assert interaction_key(event) == "slack:event:Ev1"
    assert interaction_key(click) == "slack:action:U1:1.5:case.claim"
    assert interaction_key(view) != interaction_key(corrected)  # a corrected resubmission is new
    assert str(interaction_key(view)).startswith("slack:view:V1:")
    assert interaction_key(command) == "slack:command:U1:T1"


def test_messages_the_bot_ignores_cost_no_write() -> None:
    def message(**event: object) -> dict[str, object]:
        return {
            "type": "event_callback",
            "event_id": "Ev2",
            "event": {"type": "message", "user": "U1", **event},
        }

    assert interaction_key(message(channel_type="channel")) is None  # channel chatter outside a thread
    assert interaction_key(message(channel_type="im", subtype="message_changed")) is None
    assert interaction_key(message(channel_type="im", bot_id="B1")) is None
    assert interaction_key(message(channel_type="channel", thread_ts="1.1")) == "slack:event:Ev2"
