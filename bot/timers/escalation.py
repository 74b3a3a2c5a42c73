"""When an unclaimed case climbs its escalation chain, and when claim and resolve targets are breached (pure).

Every duration is counted from a start instant: the claim chain and the claim target from the case's
creation, or from its last release (releasing restarts the chain); the resolve target and its "still
on it?" reminders from the claim. When the policy has `business_hours` on and the region defines
`business_hours`, durations count only working time in the region's zone on non-holiday days, so the
clock pauses overnight, at weekends and on public holidays. A step at zero fires at its start even
outside working hours: the first ping is never held back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import EscalationPolicy, Region, Targets
from bot.models import Priority
from bot.oncall.calendar import HolidayCalendar, add_business_time, business_time_between, calendar_for

ASSIGNEE = "assignee"
SUPERVISORS = "supervisors"


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """Step `index` of a chain is due at `due_at` and notifies these `NotifyTarget` values."""

    index: int
    due_at: datetime
    notify: tuple[str, ...]


def uses_business_hours(policy: EscalationPolicy, region: Region) -> bool:
    return policy.business_hours and region.business_hours is not None


def due_after(
    policy: EscalationPolicy,
    *,
    region: Region,
    start: datetime,
    duration: timedelta,
    holidays: HolidayCalendar | None = None,
) -> datetime:
    """`start + duration` on the policy's clock for this region (wall time or business hours), in UTC."""
    start = start.astimezone(UTC)
    if not uses_business_hours(policy, region):
        return start + duration
    assert region.business_hours is not None
    return add_business_time(
        start,
        duration,
        hours=region.business_hours,
        zone=ZoneInfo(region.timezone),
        holidays=_calendar(region, holidays),
    )


def elapsed(
    policy: EscalationPolicy,
    *,
    region: Region,
    start: datetime,
    now: datetime,
    holidays: HolidayCalendar | None = None,
) -> timedelta:
    """How much of the policy's clock has run from `start` to `now` (zero if `now` is earlier)."""
    if not uses_business_hours(policy, region):
        return max(now - start, timedelta(0))
    assert region.business_hours is not None
    return business_time_between(
        start,
        now,
        hours=region.business_hours,
        zone=ZoneInfo(region.timezone),
        holidays=_calendar(region, holidays),
    )


def _calendar(region: Region, holidays: HolidayCalendar | None) -> HolidayCalendar | None:
    if holidays is not None:
        return holidays
    return calendar_for(region.holidays) if region.holidays else None


def plan_claim_chain(
    policy: EscalationPolicy,
    *,
    priority: Priority,
    region_code: str,
    region: Region,
    start: datetime,
    holidays: HolidayCalendar | None = None,
) -> list[PlannedStep]:
    """Every step of the chain for this priority and region, with its due instant counted from `start`.

    `start` is the case's creation, or the instant it was released (a release plans the chain afresh).
    The region's own steps for the priority replace the default ones.
    """
    return [
        PlannedStep(
            i,
            due_after(policy, region=region, start=start, duration=step.after, holidays=holidays),
            step.notify,
        )
        for i, step in enumerate(policy.steps_for(priority, region_code))
    ]


def next_step(
    policy: EscalationPolicy,
    *,
    priority: Priority,
    region_code: str,
    region: Region,
    start: datetime,
    done: int,
    now: datetime,
    holidays: HolidayCalendar | None = None,
) -> PlannedStep | None:
    """The step to run after the first `done` steps have run, or None when the chain is over.

    If several steps are already due at `now` (the process was down, or steps share a due time), they
    collapse into one: the last of them, notifying every target of all of them (in order, once each),
    so a late start pages everyone it owes once instead of in a burst. Run it, then ask again with
    `done=step.index + 1`.
    """
    plan = plan_claim_chain(
        policy, priority=priority, region_code=region_code, region=region, start=start, holidays=holidays
    )[done:]
    if not plan:
        return None
    due = [step for step in plan if step.due_at <= now]
    if len(due) <= 1:
        return plan[0]
    notify = tuple(dict.fromkeys(target for step in due for target in step.notify))
    return PlannedStep(due[-1].index, due[-1].due_at, notify)


def plan_resolve_reminders(
    policy: EscalationPolicy,
    *,
    claimed_at: datetime,
    resolve_target: timedelta,
    region: Region,
    answered_at: datetime | None = None,
    holidays: HolidayCalendar | None = None,
) -> list[PlannedStep]:
    """ "Still on it?" reminders to the assignee, then one to the supervisors.

    The first reminder is due when the resolve target (counted from `claimed_at`) passes, and then one
    every `resolve_reminders.every`. After `tell_supervisor_after` of them go unanswered, the next
    step notifies the supervisors instead. When the assignee answers (`answered_at`), the count starts
    over: the next reminder is due `every` after the answer. The plan is finite: it ends with the
    supervisors' step, and the caller plans again after an answer.
    """
    rules = policy.resolve_reminders
    if answered_at is None:
        first = due_after(policy, region=region, start=claimed_at, duration=resolve_target, holidays=holidays)
    else:
        first = due_after(policy, region=region, start=answered_at, duration=rules.every, holidays=holidays)
    steps = [PlannedStep(0, first, (ASSIGNEE,))]
    for i in range(1, rules.tell_supervisor_after + 1):
        due = due_after(
            policy, region=region, start=steps[-1].due_at, duration=rules.every, holidays=holidays
        )
        notify = (SUPERVISORS,) if i == rules.tell_supervisor_after else (ASSIGNEE,)
        steps.append(PlannedStep(i, due, notify))
    return steps


def claim_deadline(
    policy: EscalationPolicy,
    *,
    targets: Targets,
    region: Region,
    start: datetime,
    holidays: HolidayCalendar | None = None,
) -> datetime:
    """When an unclaimed case breaches its claim target; `start` is creation or the last release."""
    return due_after(policy, region=region, start=start, duration=targets.claim, holidays=holidays)


def resolve_deadline(
    policy: EscalationPolicy,
    *,
    targets: Targets,
    region: Region,
    claimed_at: datetime,
    holidays: HolidayCalendar | None = None,
) -> datetime:
    """When a claimed, unresolved case breaches its resolve target, counted from the claim."""
    return due_after(policy, region=region, start=claimed_at, duration=targets.resolve, holidays=holidays)


def is_breaching(
    policy: EscalationPolicy,
    *,
    targets: Targets,
    region: Region,
    start: datetime,
    claimed_at: datetime | None,
    now: datetime,
    holidays: HolidayCalendar | None = None,
) -> bool:
    """Whether an open case belongs in the "breaching" queue at `now`.

    Unclaimed (`claimed_at` None): its claim target, counted from `start` (creation or last release),
    has passed. Claimed: its resolve target, counted from `claimed_at`, has passed. Resolved or
    cancelled cases are never breaching; the caller does not ask about them.
    """
    if claimed_at is None:
        return now >= claim_deadline(policy, targets=targets, region=region, start=start, holidays=holidays)
    return now >= resolve_deadline(
        policy, targets=targets, region=region, claimed_at=claimed_at, holidays=holidays
    )
