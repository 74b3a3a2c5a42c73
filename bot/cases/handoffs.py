"""Hand-offs: reassign (only to a coordinator of the case's region), accept, take back (the previous
assignee, while the new one has not accepted or acted on the case), and escalate up to the supervisors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cases import requests, rules, sla
from bot.errors import IllegalTransition, InvalidInput, NotAllowed
from bot.models import Actor, Case, CaseEvent, CaseId, CaseStatus, EventKind, Person, PersonId
from bot.storage.jobs import NewJob
from bot.timers.worker import notify_job

if TYPE_CHECKING:
    from bot.cases.desk import SupportDesk


def eligible(desk: SupportDesk, case: Case) -> list[Person]:
    """Who may take the case over: coordinators (and supervisors) of its region, except its assignee."""
    return [
        p
        for p in desk.directory.people.values()
        if p.role.can_claim and case.region in p.regions and p.id != case.assignee
    ]


def pending_handoff(case: Case, events: list[CaseEvent]) -> CaseEvent | None:
    """The reassignment the current assignee has not accepted or acted on yet, if any."""
    for event in reversed(events):
        if event.actor == case.assignee:
            return None
        if event.kind is EventKind.REASSIGNED:
            return event if event.after.get("assignee") == case.assignee else None
    return None


async def reassign(desk: SupportDesk, actor: Actor, case_id: CaseId, *, to: PersonId) -> Case:
    """Hand the case to a coordinator of its region; they get the full card in their DM with Accept, and
    the previous assignee may take it back until they accept."""
    case = await desk.case(case_id)
    rules.require_status(case, "reassign", CaseStatus.CLAIMED)
    rules.require_owner(actor, case, "reassign")
    target = desk.directory.person(to)
    if not target.role.can_claim:
        raise InvalidInput("assignee", "invalid.not_coordinator", name=target.name)
    if to == case.assignee:
        raise InvalidInput("assignee", "invalid.same_assignee", name=target.name)
    if case.region not in target.regions:
        raise InvalidInput("assignee", "invalid.not_in_region", name=target.name, region=case.region)
    now = desk.clock()

    def jobs(changed: Case) -> list[NewJob]:
        return [
            notify_job(
                "thread",
                "notify.reassigned",
                now=now,
                name=actor.person.name,
                to=target.name,
                buttons=["case.take_back"],
            ),
            notify_job(
                to, "notify.assigned_to_you", now=now, view="assignee", case=case.ref, name=actor.person.name
            ),
            *requests.requester_notice(
                changed, actor, "notify.requester_reassigned", now=now, name=target.name
            ),
            *desk.roster.resolve_reminders(changed, claimed_at=now),
            *sla.refresh_at_target(desk.config, changed),
        ]

    return await desk.change_case(
        actor,
        case,
        kind=EventKind.REASSIGNED,
        expect={"status": CaseStatus.CLAIMED.value, "assignee": case.assignee},
        values={"assignee": to, "claimed_at": now},
        jobs=jobs,
    )


async def accept(desk: SupportDesk, actor: Actor, case_id: CaseId) -> Case:
    """The new assignee takes a reassigned case: from now on only they (or a supervisor) release it."""
    case = await desk.case(case_id)
    rules.require_status(case, "accept", CaseStatus.CLAIMED)
    if actor.id != case.assignee:
        raise NotAllowed("accept", reason="not_assignee")
    now = desk.clock()
    return await desk.change_case(
        actor,
        case,
        kind=EventKind.ACCEPTED,
        bump_fence=False,
        expect={"status": CaseStatus.CLAIMED.value, "assignee": actor.id},
        values={"assignee": actor.id},
        jobs=[notify_job("thread", "notify.accepted", now=now, name=actor.person.name)],
    )


async def take_back(desk: SupportDesk, actor: Actor, case_id: CaseId) -> Case:
    """The previous assignee takes a reassigned case back, while the new one has not accepted or acted on it."""
    case = await desk.case(case_id)
    rules.require_status(case, "take_back", CaseStatus.CLAIMED)
    handoff = pending_handoff(case, await desk.store.events_of(case_id))
    if handoff is None:
        raise IllegalTransition("take_back", "accepted")
    if actor.id != handoff.before.get("assignee") and not actor.role.is_supervisor:
        raise NotAllowed("take_back", reason="not_previous_assignee")
    back_to = (
        actor.id if actor.id == handoff.before.get("assignee") else PersonId(str(handoff.before["assignee"]))
    )
    now = desk.clock()
    return await desk.change_case(
        actor,
        case,
        kind=EventKind.TAKEN_BACK,
        expect={"status": CaseStatus.CLAIMED.value, "assignee": case.assignee},
        values={"assignee": back_to, "claimed_at": now},
        jobs=[
            notify_job("thread", "notify.taken_back", now=now, name=actor.person.name),
            notify_job(
                case.assignee or "thread",
                "notify.taken_back_from_you",
                now=now,
                case=case.ref,
                name=actor.person.name,
            ),
            *desk.roster.resolve_reminders(case, claimed_at=now),
        ],
    )


async def escalate_up(desk: SupportDesk, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
    """Move the case to the supervisor tier with a reason (required): the region's supervisors are pinged
    in the thread, and the reason is recorded with the event."""
    note = note.strip()
    if not note:
        raise InvalidInput("note", "invalid.reason_required")
    case = await desk.case(case_id)
    rules.require_status(case, "escalate_up", CaseStatus.OPEN, CaseStatus.CLAIMED)
    if case.status is CaseStatus.CLAIMED:
        rules.require_owner(actor, case, "escalate_up")
    elif not actor.role.can_claim and actor.id != case.requester:
        raise NotAllowed("escalate_up", reason="role")
    if case.supervisor_tier:
        raise IllegalTransition("escalate_up", "supervisor_tier")
    now = desk.clock()
    return await desk.change_case(
        actor,
        case,
        kind=EventKind.ESCALATED_UP,
        note=note,
        bump_fence=False,
        expect={"status": (case.status.value,), "supervisor_tier": False},
        values={"supervisor_tier": True},
        jobs=[
            notify_job(
                "thread",
                "notify.escalated_up",
                now=now,
                name=actor.person.name,
                note=note,
                targets=["supervisors"],
            )
        ],
    )
