"""The requester's side of a case: the notice they get on every change of their case (its number and
summary, a link to its thread, and what they may do now), their view of it, and what they may do:
reopen (within the window), cancel (while unclaimed), add information (posted into the case thread)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.cases import rules, sla, views
from bot.config import Config
from bot.directory import Directory
from bot.errors import InvalidInput, NotAllowed
from bot.models import Actor, Case, CaseEvent, CaseId, CaseStatus, EventKind, Queue
from bot.replies import Reply
from bot.storage.jobs import NewJob
from bot.timers.worker import notify_job

if TYPE_CHECKING:
    from bot.cases.desk import SupportDesk


def requester_notice(case: Case, actor: Actor, key: str, /, *, now: datetime, **params: Any) -> list[NewJob]:
    """A DM to the requester about a change of their case; none when they made the change themselves.

    It is rendered when delivered, from the case as it is then (see `requester_view`)."""
    if actor.id == case.requester:
        return []
    return [notify_job(case.requester, key, now=now, view="requester", case=case.ref, **params)]


def requester_view(
    case: Case,
    *,
    config: Config,
    directory: Directory,
    lang: str,
    now: datetime,
    text: str = "",
    context: tuple[str, ...] = (),
) -> Reply:
    """The requester's view of their case; Reopen is offered only within the reopen window."""
    window_open = case.resolved_at is not None and now - case.resolved_at <= config.reopen_window
    return views.requester_view(
        case, directory=directory, lang=lang, now=now, text=text, context=context, can_reopen=window_open
    )


async def reopen(desk: SupportDesk, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
    """The requester reopens within the window; it goes back to its last assignee, who is told."""
    case = await desk.case(case_id)
    rules.require_reopener(actor, case, now=desk.clock(), window=desk.config.reopen_window)
    now = desk.clock()
    jobs = [
        notify_job("thread", "notify.reopened", now=now, name=actor.person.name, note=note),
        *requester_notice(case, actor, "notify.requester_reopened", now=now, name=actor.person.name),
    ]
    if case.assignee:
        jobs.append(notify_job(case.assignee, "notify.reopened_to_you", now=now, case=case.ref, note=note))
    return await desk.change_case(
        actor,
        case,
        kind=EventKind.REOPENED,
        note=note,
        expect={"status": CaseStatus.RESOLVED.value},
        values={
            "status": CaseStatus.CLAIMED.value,
            "resolved_at": None,
            "resolution": None,
            "claimed_at": now,
        },
        jobs=lambda changed: [
            *jobs,
            *desk.roster.resolve_reminders(changed, claimed_at=now),
            *sla.refresh_at_target(desk.config, changed),
        ],
    )


async def cancel(desk: SupportDesk, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
    """The requester cancels while nobody has claimed the case; a supervisor while it is active."""
    case = await desk.case(case_id)
    if actor.role.is_supervisor:
        rules.require_status(case, "cancel", CaseStatus.OPEN, CaseStatus.CLAIMED)
    else:
        rules.require_status(case, "cancel", CaseStatus.OPEN)
    if actor.id != case.requester and not actor.role.is_supervisor:
        raise NotAllowed("cancel", reason="not_requester")
    now = desk.clock()
    return await desk.change_case(
        actor,
        case,
        kind=EventKind.CANCELLED,
        note=note,
        expect={"status": (CaseStatus.OPEN.value, CaseStatus.CLAIMED.value)},
        values={"status": CaseStatus.CANCELLED.value, "resolved_at": now},
        jobs=[
            notify_job("thread", "notify.cancelled", now=now, name=actor.person.name, note=note),
            *requester_notice(case, actor, "notify.requester_cancelled", now=now, name=actor.person.name),
        ],
    )


async def add_note(desk: SupportDesk, actor: Actor, case_id: CaseId, *, note: str) -> None:
    note = note.strip()
    if not note:
        raise InvalidInput("note", "invalid.note_required")
    case = await desk.case(case_id)
    """A note on the case, posted into its thread; the assignee is mentioned there unless they wrote it."""
    rules.require_participant(actor, case)
    now = desk.clock()
    targets = ["assignee"] if case.assignee and case.assignee != actor.id else None
    key = "notify.requester_added_info" if actor.id == case.requester else "notify.note_added"
    jobs = [notify_job("thread", key, now=now, targets=targets, name=actor.person.name, note=note)]
    await desk.store.add_event(CaseEvent(case.id, EventKind.NOTE, actor.id, now, note=note), jobs=jobs)
    desk._wake()


async def queue(desk: SupportDesk, actor: Actor) -> Reply:
    """The actor's queue: the cases they raised, and for those who work cases their claimed ones, the
    unclaimed ones in their regions and those past target. A rep sees only the cases they raised."""
    now = desk.clock()
    regions = actor.person.regions or tuple(desk.config.regions)
    requested = await desk.store.cases_requested_by(actor.id, resolved_since=now - desk.config.reopen_window)
    if not actor.role.can_claim:
        queue = Queue((), (), (), requested=tuple(requested))
        return views.queue_reply(
            queue, directory=desk.directory, lang=actor.language, now=now, works_cases=False
        )
    mine = await desk.store.cases_assigned_to(actor.id)
    active = await desk.store.active_cases(regions)
    unclaimed = [c for c in active if c.status is CaseStatus.OPEN]
    breaching = [c for c in active if desk.roster.is_breaching(c, now=now)]
    duty = [await desk.roster.on_duty(code, at=now) for code in regions if code in desk.config.regions]
    lines = [desk.roster.describe(d, actor.language) for d in duty] if actor.role.can_claim else []
    queue = Queue(tuple(mine), tuple(unclaimed), tuple(breaching), requested=tuple(requested))
    return views.queue_reply(queue, directory=desk.directory, lang=actor.language, now=now, on_duty=lines)
