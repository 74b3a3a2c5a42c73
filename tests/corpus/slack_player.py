"""Plays corpus messages against the real Slack handler (the rig: signed requests, the fake Slack).

For each message a fresh case is opened in the message's region, put in the state the corpus README
asks for (waiting, claimed by the writer, resolved by the writer), and the message is posted in the
case card's thread by a coordinator of the region. What the bot did is read back from the store and
the fake workspace: the case's fields and history, private messages, reactions and thread replies.
A confirmation is accepted (Confirm clicked) to see that it carries out the intent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from itertools import count
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from app.server import create_app, create_services
from bot.config import Config
from bot.models import Actor, Case, CaseId, CaseStatus, EventKind, Identity, Platform
from handlers.slack import mount
from playground.app_link import AppLink
from playground.records import Message as SlackMessage
from tests.adapters.slack.rig import SECRET, Rig, rig_settings, stop_background_worker, watch_listeners
from tests.corpus import CHANNEL, Message, slack_id
from tests.fakes.clock import FakeClock
from tests.fakes.fake_slack import FakeSlack

REPS = {"UK": "amy", "PL": "kasia", "UA": "petro", "HR": "kasia"}
_keys = count(1)


class State(StrEnum):
    WAITING = "waiting"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


STATE_FOR = {
    "claim": State.WAITING,
    "resolve": State.CLAIMED,
    "release": State.CLAIMED,
    "reassign": State.CLAIMED,
    "escalate_up": State.CLAIMED,
    "note": State.CLAIMED,
    "reopen": State.RESOLVED,
}


@dataclass(frozen=True, slots=True)
class Played:
    """What one message did. `intent` is what the bot carried out (directly or after Confirm), or None."""

    message: Message
    state: State
    intent: str | None
    changed: bool  # status, assignee, resolution, tier or history changed before any Confirm
    prompted: bool  # a confirmation or another private message to the writer
    reacted: bool  # the bot marked the message as carried out
    answered: bool  # the bot posted in the thread (a knowledge-base answer)
    problem: str = ""  # for a command: why the intent was not carried out exactly


def _actor(rig: Rig, person: str) -> Actor:
    return rig.services.desk.directory.actor(Identity(Platform.SLACK, slack_id(person)))


async def open_case(rig: Rig, message: Message, state: State) -> tuple[Case, SlackMessage]:
    desk = rig.services.desk
    writer = _actor(rig, message.writer())
    values = {"summary": f"Corpus case for {message.id}", "region": message.region, "category": "other"}
    escalated = await desk.escalate(
        _actor(rig, REPS[message.region]), values, client_key=f"corpus-{next(_keys)}"
    )
    await rig.settle()
    case = escalated.case
    if state is not State.WAITING:
        await desk.claim(writer, case.id)
    if state is State.RESOLVED:
        await desk.resolve(writer, case.id, note="resolved before the message")
    await rig.settle()
    case = await desk.case(case.id)
    assert case.card is not None, "the card was not posted"
    card = next(m for m in rig.cards(CHANNEL[message.lang]) if f"CS-{case.id}" in m.text)
    return case, card


def _snapshot(case: Case) -> tuple[Any, ...]:
    return (case.status, case.assignee, case.resolution, case.supervisor_tier, case.fence)


async def play(
    rig: Rig, message: Message, state: State, *, on: tuple[Case, SlackMessage] | None = None
) -> Played:
    """Post `message` in the thread of a new case in `state`, or of the case `on` (already in it)."""
    desk = rig.services.desk
    case, card = on or await open_case(rig, message, state)
    case = await desk.case(case.id)
    writer = slack_id(message.writer())
    channel = card.channel
    events_before = len(await desk.store.events_of(case.id))
    private_before = len(rig.ws.ephemerals_for(writer))
    thread_before = len(rig.ws.thread(channel, card.ts))

    await rig.say(writer, channel, message.slack(rig.ws.bot_user_id), thread_ts=card.ts)

    after = await desk.case(case.id)
    events = await desk.store.events_of(case.id)
    posted = rig.ws.thread(channel, card.ts)[thread_before:]
    mine = next(m for m in posted if m.user == writer)
    replies = [m for m in posted if m.user == rig.ws.bot_user_id]
    privates = rig.ws.ephemerals_for(writer)[private_before:]
    played = Played(
        message,
        state,
        intent=None,
        changed=_snapshot(after) != _snapshot(case) or len(events) != events_before,
        prompted=bool(privates),
        reacted=bool(rig.ws.message(channel, mine.ts).reactions),
        answered=bool(replies),
    )
    done = _carried_out(case, after, events[events_before:])
    if done is not None:
        return _with(played, done, after, events[events_before:])
    confirmations = [e for e in privates if _has_button(e.blocks, "thread.confirm")]
    if len(confirmations) != 1:
        return played
    await rig.click(writer, confirmations[0], "thread.confirm")
    confirmed = await desk.case(case.id)
    new_events = (await desk.store.events_of(case.id))[events_before:]
    done = _carried_out(case, confirmed, new_events)
    return _with(played, done, confirmed, new_events) if done else played


def _with(played: Played, intent: str, case: Case, events: list[Any]) -> Played:
    problem = ""
    message = played.message
    if intent == "reassign" and case.assignee != (message.people[0] if message.people else None):
        problem = f"handed to {case.assignee}"
    if intent in ("resolve", "escalate_up", "note") and not (events and events[-1].note):
        problem = "no note recorded"
    return Played(
        message,
        played.state,
        intent,
        played.changed,
        played.prompted,
        played.reacted,
        played.answered,
        problem,
    )


def _carried_out(before: Case, after: Case, events: list[Any]) -> str | None:
    """The intent that the new history shows (one event), or None when nothing was done."""
    kinds = [e.kind for e in events]
    if not kinds:
        return None
    names = {
        EventKind.CLAIMED: "claim",
        EventKind.RESOLVED: "resolve",
        EventKind.RELEASED: "release",
        EventKind.REASSIGNED: "reassign",
        EventKind.ESCALATED_UP: "escalate_up",
        EventKind.NOTE: "note",
        EventKind.REOPENED: "reopen",
    }
    name = names.get(kinds[-1], kinds[-1].value)
    expected_status = {
        "claim": CaseStatus.CLAIMED,
        "resolve": CaseStatus.RESOLVED,
        "release": CaseStatus.OPEN,
        "reopen": CaseStatus.CLAIMED,
    }
    if name in expected_status and after.status is not expected_status[name]:
        return f"{name}?"
    return name if len(kinds) == 1 else f"{'+'.join(k.value for k in kinds)}"


def _has_button(blocks: list[Any], action: str) -> bool:
    return any(e.get("action_id", "").split("#")[0] == action for b in blocks for e in b.get("elements", []))


async def case_of(rig: Rig, case_id: int) -> Case:
    return await rig.services.desk.case(CaseId(case_id))


@asynccontextmanager
async def running_rig(config: Config, tmp_path: Path) -> AsyncIterator[Rig]:
    """The Slack rig outside pytest (as the `rig` fixture builds it), for bench/thread_corpus.py."""
    slack = await FakeSlack.start(config)
    clock = FakeClock()
    services = create_services(rig_settings(tmp_path, slack.url), config, clock=clock)
    app = create_app(services)
    mount(app, services)
    listeners = watch_listeners(app)
    stop_tracking = listeners.track(asyncio.get_running_loop())
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    await stop_background_worker()
    link = AppLink(
        slack.api,
        events_url=str(client.make_url("/slack/events")),
        signing_secret=SECRET,
        session=client.session,
    )
    try:
        yield Rig(slack, client, services, clock, link, listeners)
    finally:
        await client.close()
        stop_tracking()
        await slack.stop()


async def play_corpus(rig: Rig, messages: list[Message]) -> list[Played]:
    """Every message: a null one in each state (on shared cases, re-opened after a miss), a command on a
    fresh case in the state its intent needs."""
    played: list[Played] = []
    shared: dict[tuple[str, State], tuple[Case, SlackMessage]] = {}
    for message in messages:
        if message.intent is not None:
            played.append(await play(rig, message, STATE_FOR[message.intent]))
            continue
        for state in State:
            key = (message.lang, state)
            if key not in shared:
                shared[key] = await open_case(rig, message, state)
            result = await play(rig, message, state, on=shared[key])
            if result.changed or result.intent:
                del shared[key]
            played.append(result)
    return played


CONFIRMED_FIRST = frozenset({"resolve", "release", "reassign", "escalate_up", "reopen"})


def miss(played: Played) -> str | None:
    """Why a played message misses the bar (README "The bar"), or None when it meets it."""
    message = played.message
    where = f"[{played.state}] {message.text!r}"
    if message.intent is None:
        if played.changed or played.prompted or played.reacted or played.intent:
            return f"{where} acted or prompted: {played}"
        if played.answered and not message.addressed:
            return f"{where} got an answer in the thread"
        return None
    if played.intent != message.intent or played.problem:
        return f"{where} -> {played.intent} {played.problem}"
    if message.intent in CONFIRMED_FIRST and (played.changed or not played.prompted):
        return f"{where} acted before Confirm"
    if message.intent not in CONFIRMED_FIRST and not played.reacted:
        return f"{where} was not marked as done"
    return None
