"""The desk's operations, permissions and transitions, on the real Store (SQLite) with a fixed clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cases.desk import SupportDesk
from bot.errors import AlreadyClaimed, IllegalTransition, InvalidInput, NotAllowed, ReopenWindowClosed
from bot.models import Actor, CaseId, CaseStatus, EventKind, Identity, PersonId, Platform, Role
from bot.timers.worker import Kind
from tests.fakes.clock import FakeClock

FORM = {
    "summary": "Customer wants a refund for a broken TV",
    "details": "Bought 3 weeks ago",
    "priority": "high",
    "category": "refunds",
    "region": "PL",
    "customer_ref": "ORD-1",
}


def actor(desk: SupportDesk, user: str) -> Actor:
    return desk.directory.actor(Identity(Platform.SLACK, user))


@pytest.fixture
def rep(desk: SupportDesk) -> Actor:
    return actor(desk, "U0KASIA")


@pytest.fixture
def jan(desk: SupportDesk) -> Actor:
    return actor(desk, "U0JAN")


@pytest.fixture
def ola(desk: SupportDesk) -> Actor:
    return actor(desk, "U0OLA")


@pytest.fixture
def maria(desk: SupportDesk) -> Actor:
    return actor(desk, "U0MARIA")


async def open_case(desk: SupportDesk, rep: Actor, key: str = "k1", **changes: str) -> CaseId:
    escalated = await desk.escalate(rep, {**FORM, **changes}, client_key=key)
    return escalated.case.id


async def test_escalate_opens_case_with_event_and_card_job(
    desk: SupportDesk, rep: Actor, clock: FakeClock
) -> None:
    escalated = await desk.escalate(rep, FORM, client_key="k1")
    case = escalated.case
    assert escalated.created
    assert case.ref == f"CS-{case.id}"
    assert (case.status, case.region, case.requester, case.created_at) == (
        CaseStatus.OPEN,
        "PL",
        "kasia",
        clock(),
    )
    assert [e.kind for e in await desk.store.events_of(case.id)] == [EventKind.ESCALATED]
    assert [j.kind for j in await desk.store.jobs_of(case.id)] == [Kind.POST_CARD]
    assert case.ref in escalated.reply.text


async def test_escalate_is_idempotent_on_client_key(desk: SupportDesk, rep: Actor) -> None:
    first = await desk.escalate(rep, FORM, client_key="same")
    again = await desk.escalate(rep, {**FORM, "summary": "a retried submission"}, client_key="same")
    assert (again.case.id, again.created) == (first.case.id, False)
    assert len(await desk.store.events_of(first.case.id)) == 1


async def test_stranger_is_a_rep_who_may_escalate_but_not_claim(desk: SupportDesk) -> None:
    stranger = actor(desk, "U9NEW")
    assert stranger.role is Role.REP
    case_id = await open_case(desk, stranger)
    with pytest.raises(NotAllowed) as refused:
        await desk.claim(stranger, case_id)
    assert refused.value.user_message == "error.not_allowed.role"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("summary", "hey", "invalid.summary_short"),
        ("summary", "x" * 151, "invalid.too_long"),
        ("priority", "whenever", "invalid.choice"),
        ("region", "XX", "invalid.choice"),
        ("category", "cats", "invalid.choice"),
        ("details", "y" * 3001, "invalid.too_long"),
    ],
)
async def test_escalate_rejects_bad_field(
    desk: SupportDesk, rep: Actor, field: str, value: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as bad:
        await desk.escalate(rep, {**FORM, field: value}, client_key="k")
    assert (bad.value.field, bad.value.reason_key) == (field, reason)
    assert await desk.store.unclaimed_cases() == []


async def test_claim_sets_assignee_and_second_claimer_is_told_who_won(
    desk: SupportDesk, rep: Actor, jan: Actor, ola: Actor, clock: FakeClock
) -> None:
    case_id = await open_case(desk, rep)
    clock.advance(minutes=3)
    case = await desk.claim(jan, case_id)
    assert (case.status, case.assignee, case.claimed_at) == (CaseStatus.CLAIMED, "jan", clock())
    with pytest.raises(AlreadyClaimed) as lost:
        await desk.claim(ola, case_id)
    assert lost.value.params["name"] == "Jan Kowalski"
    assert [e.kind for e in await desk.store.events_of(case_id)] == [EventKind.ESCALATED, EventKind.CLAIMED]


async def test_claim_queues_card_update_thread_note_requester_dm_and_reminder(
    desk: SupportDesk, rep: Actor, jan: Actor
) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    jobs = await desk.store.jobs_of(case_id)
    kinds = sorted(j.kind for j in jobs)
    assert kinds == sorted(
        [Kind.POST_CARD, Kind.UPDATE_CARD, Kind.NOTIFY, Kind.NOTIFY, Kind.RESOLVE_REMINDER]
    )
    assert {j.payload.get("to") for j in jobs if j.kind == Kind.NOTIFY} == {"thread", "kasia"}


async def test_only_assignee_or_supervisor_resolves(
    desk: SupportDesk, rep: Actor, jan: Actor, ola: Actor, maria: Actor
) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    with pytest.raises(NotAllowed):
        await desk.resolve(ola, case_id, note="done")
    with pytest.raises(NotAllowed):
        await desk.resolve(rep, case_id, note="done")
    case = await desk.resolve(maria, case_id, note="Refunded to card")
    assert (case.status, case.resolution) == (CaseStatus.RESOLVED, "Refunded to card")


async def test_resolve_requires_a_note(desk: SupportDesk, rep: Actor, jan: Actor) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    with pytest.raises(InvalidInput) as bad:
        await desk.resolve(jan, case_id, note="   ")
    assert bad.value.field == "note"
    assert (await desk.case(case_id)).status is CaseStatus.CLAIMED


async def test_resolving_an_open_case_is_an_illegal_transition(
    desk: SupportDesk, rep: Actor, maria: Actor
) -> None:
    case_id = await open_case(desk, rep)
    with pytest.raises(IllegalTransition) as illegal:
        await desk.resolve(maria, case_id, note="x")
    assert illegal.value.params == {"action": "resolve", "status": "open"}


async def test_release_returns_case_to_queue_and_restarts_chain(
    desk: SupportDesk, rep: Actor, jan: Actor, clock: FakeClock
) -> None:
    case_id = await open_case(desk, rep)
    claimed = await desk.claim(jan, case_id)
    clock.advance(minutes=10)
    released = await desk.release(jan, case_id)
    assert (released.status, released.assignee, released.chain_started_at) == (CaseStatus.OPEN, None, clock())
    assert released.fence > claimed.fence
    chain = [j for j in await desk.store.jobs_of(case_id) if j.kind == Kind.CLAIM_STEP]
    assert [(j.due_at, j.fence) for j in chain] == [(clock(), released.fence)]


async def test_someone_else_cannot_release(desk: SupportDesk, rep: Actor, jan: Actor, ola: Actor) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    with pytest.raises(NotAllowed):
        await desk.release(ola, case_id)


async def test_reassign_to_coordinator_only(desk: SupportDesk, rep: Actor, jan: Actor) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    with pytest.raises(InvalidInput) as bad:
        await desk.reassign(jan, case_id, to=rep.id)
    assert bad.value.reason_key == "invalid.not_coordinator"
    case = await desk.reassign(jan, case_id, to=desk.directory.person(PersonId("ola")).id)
    assert case.assignee == "ola"
    event = (await desk.store.events_of(case_id))[-1]
    assert (event.kind, event.before, event.after) == (
        EventKind.REASSIGNED,
        {"assignee": "jan", "claimed_at": event.before["claimed_at"]},
        event.after,
    )
    assert event.after["assignee"] == "ola"


async def test_escalate_up_marks_supervisor_tier_once(desk: SupportDesk, rep: Actor, jan: Actor) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    case = await desk.escalate_up(jan, case_id, note="legal threat")
    assert case.supervisor_tier
    with pytest.raises(IllegalTransition):
        await desk.escalate_up(jan, case_id)


async def test_requester_reopens_within_window_back_to_last_assignee(
    desk: SupportDesk, rep: Actor, jan: Actor, clock: FakeClock
) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    await desk.resolve(jan, case_id, note="done")
    clock.advance(days=2)
    case = await desk.reopen(rep, case_id, note="customer called again")
    assert (case.status, case.assignee, case.resolution) == (CaseStatus.CLAIMED, "jan", None)


async def test_reopen_window_closes(
    desk: SupportDesk, rep: Actor, jan: Actor, maria: Actor, clock: FakeClock
) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    await desk.resolve(jan, case_id, note="done")
    clock.advance(desk.config.reopen_window + timedelta(minutes=1))
    with pytest.raises(ReopenWindowClosed):
        await desk.reopen(rep, case_id)
    assert (await desk.reopen(maria, case_id)).status is CaseStatus.CLAIMED


async def test_other_rep_cannot_reopen(desk: SupportDesk, rep: Actor, jan: Actor) -> None:
    case_id = await open_case(desk, rep)
    await desk.claim(jan, case_id)
    await desk.resolve(jan, case_id, note="done")
    with pytest.raises(NotAllowed):
        await desk.reopen(actor(desk, "U0PETRO"), case_id)


async def test_requester_cancels_open_case(desk: SupportDesk, rep: Actor, jan: Actor) -> None:
    case_id = await open_case(desk, rep)
    with pytest.raises(NotAllowed):
        await desk.cancel(jan, case_id)
    assert (await desk.cancel(rep, case_id)).status is CaseStatus.CANCELLED
    with pytest.raises(IllegalTransition):
        await desk.claim(jan, case_id)


async def test_notes_from_participants_only_and_requester_note_reaches_assignee(
    desk: SupportDesk, rep: Actor, jan: Actor
) -> None:
    case_id = await open_case(desk, rep)
    with pytest.raises(NotAllowed):
        await desk.add_note(actor(desk, "U0PETRO"), case_id, note="hi")
    await desk.claim(jan, case_id)
    await desk.add_note(rep, case_id, note="Customer sent photos")
    events = await desk.store.events_of(case_id)
    assert (events[-1].kind, events[-1].note) == (EventKind.NOTE, "Customer sent photos")
    notify = [j for j in await desk.store.jobs_of(case_id) if j.payload.get("key") == "notify.requester_note"]
    assert [j.payload["to"] for j in notify] == ["jan"]


async def test_every_operation_writes_exactly_one_event(
    desk: SupportDesk, rep: Actor, jan: Actor, maria: Actor
) -> None:
    case_id = await open_case(desk, rep)
    steps = [
        desk.claim(jan, case_id),
        desk.add_note(jan, case_id, note="n"),
        desk.escalate_up(jan, case_id),
        desk.reassign(jan, case_id, to=maria.id),
        desk.release(maria, case_id),
        desk.claim(maria, case_id),
        desk.resolve(maria, case_id, note="ok"),
        desk.reopen(rep, case_id),
    ]
    for n, step in enumerate(steps, start=2):
        await step
        assert len(await desk.store.events_of(case_id)) == n


async def test_queue_lists_mine_unclaimed_in_my_regions_and_breaching(
    desk: SupportDesk, rep: Actor, jan: Actor, clock: FakeClock
) -> None:
    mine = await open_case(desk, rep, key="a")
    await open_case(desk, rep, key="b", region="UA")
    await open_case(desk, rep, key="c", region="UK")
    await desk.claim(jan, mine)
    clock.advance(hours=5)
    reply = await desk.queue(jan)
    fields = {f.label: f.value for f in reply.fields}
    assert "Moje (1)" in fields and f"CS-{mine}" in fields["Moje (1)"]
    unclaimed = next(v for k, v in fields.items() if k.startswith("Nieprzejęte"))
    assert "(1)" in next(k for k in fields if k.startswith("Nieprzejęte"))
    assert "UA" in unclaimed and "UK" not in unclaimed
    breaching = next(k for k in fields if k.startswith("Po terminie"))
    assert breaching == "Po terminie (2)"
    assert reply.ephemeral and reply.context  # who is on duty in jan's regions


async def test_ask_answers_and_records_question_and_feedback(desk: SupportDesk, rep: Actor) -> None:
    reply = await desk.ask(rep, "klientka chce zwrócić buty bez paragonu")
    assert reply.title and "paragon" in reply.title.lower()
    question_id = int(reply.buttons[1].value)
    thanks = await desk.answers.feedback(rep, question_id, helpful=False)
    assert thanks.ephemeral and thanks.buttons
    stats = await desk.store.question_stats(
        desk.clock() - timedelta(days=1), desk.clock() + timedelta(days=1)
    )
    assert (stats.asked, stats.answered, stats.not_helpful) == (1, 1, 1)


async def test_unknown_question_is_recorded_as_unanswered(desk: SupportDesk, rep: Actor) -> None:
    reply = await desk.ask(rep, "what is the wifi password of the warehouse in Gdynia")
    assert reply.title is None
    assert [b.action.value for b in reply.buttons][-1] == "kb.escalate"
    stats = await desk.store.question_stats(
        desk.clock() - timedelta(days=1), desk.clock() + timedelta(days=1)
    )
    assert stats.unanswered[0][0].startswith("what is the wifi")


async def test_escalation_from_question_is_prefilled_with_question_and_answer(
    desk: SupportDesk, rep: Actor
) -> None:
    reply = await desk.ask(rep, "klientka chce zwrócić buty bez paragonu")
    form = await desk.question_escalation_form(rep, int(reply.buttons[-1].value))
    values = {i.name: i.initial for i in form.inputs}
    assert values["summary"] == "klientka chce zwrócić buty bez paragonu"
    assert reply.title is not None and reply.title in values["details"]
    assert values["region"] == "PL"
