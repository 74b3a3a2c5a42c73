"""Escalation chains, release restarts, business-hours clocks, resolve reminders and breaching."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import EscalationPolicy, Region, Targets, WorkingHours
from bot.models import Priority
from bot.timers.escalation import (
    PlannedStep,
    claim_deadline,
    is_breaching,
    next_step,
    plan_claim_chain,
    plan_resolve_reminders,
    resolve_deadline,
)

WARSAW = ZoneInfo("Europe/Warsaw")
OFFICE = WorkingHours(start=time(8), end=time(18))
REGION = Region(name="Poland", timezone="Europe/Warsaw", holidays="PL", business_hours=OFFICE)
NO_HOURS = Region(name="Poland", timezone="Europe/Warsaw", holidays="PL")
URGENT_STEPS = [
    {"after": "0m", "notify": ["on_duty"]},
    {"after": "5m", "notify": ["on_duty", "backup"]},
    {"after": "10m", "notify": ["supervisors"]},
    {"after": "15m", "notify": ["channel"]},
]


def policy(*, business_hours: bool = False, **extra: object) -> EscalationPolicy:
    return EscalationPolicy.model_validate(
        {
            "steps": {"urgent": URGENT_STEPS, "low": [{"after": "0m", "notify": ["on_duty"]}]},
            "business_hours": business_hours,
            "resolve_reminders": {"every": "30m", "tell_supervisor_after": 2},
            **extra,
        }
    )


def warsaw(m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(2026, m, d, h, mi, tzinfo=WARSAW).astimezone(UTC)


TUE_NOON = warsaw(3, 10, 12)


def chain(
    pol: EscalationPolicy, start: datetime, reg: Region = REGION, code: str = "PL"
) -> list[PlannedStep]:
    return plan_claim_chain(pol, priority=Priority.URGENT, region_code=code, region=reg, start=start)


def step_after(pol: EscalationPolicy, *, start: datetime, done: int, now: datetime) -> PlannedStep | None:
    return next_step(
        pol, priority=Priority.URGENT, region_code="PL", region=REGION, start=start, done=done, now=now
    )


def test_each_step_is_due_its_delay_after_creation() -> None:
    assert chain(policy(), TUE_NOON) == [
        PlannedStep(0, TUE_NOON, ("on_duty",)),
        PlannedStep(1, TUE_NOON + timedelta(minutes=5), ("on_duty", "backup")),
        PlannedStep(2, TUE_NOON + timedelta(minutes=10), ("supervisors",)),
        PlannedStep(3, TUE_NOON + timedelta(minutes=15), ("channel",)),
    ]


def test_region_steps_replace_the_default_chain() -> None:
    pol = policy(regions={"UA": {"urgent": [{"after": "2m", "notify": ["supervisors"]}]}})
    assert chain(pol, TUE_NOON, code="UA") == [
        PlannedStep(0, TUE_NOON + timedelta(minutes=2), ("supervisors",))
    ]
    assert len(chain(pol, TUE_NOON, code="PL")) == 4


def test_release_restarts_the_chain_from_the_release() -> None:
    released = TUE_NOON + timedelta(minutes=42)
    assert [s.due_at - released for s in chain(policy(), released)] == [
        timedelta(minutes=m) for m in (0, 5, 10, 15)
    ]


def test_next_step_waits_for_the_following_step() -> None:
    step = step_after(policy(), start=TUE_NOON, done=1, now=TUE_NOON + timedelta(minutes=1))
    assert step == PlannedStep(1, TUE_NOON + timedelta(minutes=5), ("on_duty", "backup"))


def test_next_step_after_the_last_is_none() -> None:
    assert step_after(policy(), start=TUE_NOON, done=4, now=TUE_NOON + timedelta(hours=1)) is None


def test_steps_missed_while_down_collapse_into_one_page_to_everyone_owed() -> None:
    step = step_after(policy(), start=TUE_NOON, done=1, now=TUE_NOON + timedelta(minutes=12))
    assert step == PlannedStep(2, TUE_NOON + timedelta(minutes=10), ("on_duty", "backup", "supervisors"))


def test_wall_clock_chain_runs_through_the_night() -> None:
    night = warsaw(3, 10, 23)
    assert chain(policy(), night)[3].due_at == night + timedelta(minutes=15)


def test_business_hours_pause_the_chain_overnight() -> None:
    start = warsaw(3, 10, 17, 58)
    dues = [s.due_at for s in chain(policy(business_hours=True), start)]
    assert dues == [start, warsaw(3, 11, 8, 3), warsaw(3, 11, 8, 8), warsaw(3, 11, 8, 13)]


def test_business_hours_pause_the_chain_over_the_weekend() -> None:
    saturday = warsaw(3, 14, 11)
    dues = [s.due_at for s in chain(policy(business_hours=True), saturday)]
    assert dues == [saturday, warsaw(3, 16, 8, 5), warsaw(3, 16, 8, 10), warsaw(3, 16, 8, 15)]


def test_business_hours_pause_the_chain_on_a_public_holiday() -> None:
    eve = warsaw(11, 10, 17, 57)  # 11 November is Independence Day in Poland
    dues = [s.due_at for s in chain(policy(business_hours=True), eve)]
    assert dues[1:] == [warsaw(11, 12, 8, 2), warsaw(11, 12, 8, 7), warsaw(11, 12, 8, 12)]


def test_business_hours_policy_uses_wall_clock_in_a_region_without_hours() -> None:
    night = warsaw(3, 10, 23)
    assert chain(policy(business_hours=True), night, reg=NO_HOURS)[1].due_at == night + timedelta(minutes=5)


def test_region_hours_alone_do_not_switch_the_clock() -> None:
    night = warsaw(3, 10, 23)
    assert chain(policy(business_hours=False), night)[1].due_at == night + timedelta(minutes=5)


# --- resolve reminders -------------------------------------------------------------------------


def test_reminders_start_at_the_resolve_target_then_tell_the_supervisors() -> None:
    steps = plan_resolve_reminders(
        policy(), claimed_at=TUE_NOON, resolve_target=timedelta(hours=2), region=REGION
    )
    assert steps == [
        PlannedStep(0, TUE_NOON + timedelta(hours=2), ("assignee",)),
        PlannedStep(1, TUE_NOON + timedelta(hours=2, minutes=30), ("assignee",)),
        PlannedStep(2, TUE_NOON + timedelta(hours=3), ("supervisors",)),
    ]


def test_an_answer_restarts_the_reminder_count() -> None:
    answered = TUE_NOON + timedelta(hours=2, minutes=10)
    steps = plan_resolve_reminders(
        policy(), claimed_at=TUE_NOON, resolve_target=timedelta(hours=2), region=REGION, answered_at=answered
    )
    assert [s.due_at - answered for s in steps] == [
        timedelta(minutes=30),
        timedelta(minutes=60),
        timedelta(minutes=90),
    ]
    assert steps[-1].notify == ("supervisors",)


def test_reminders_on_business_hours_wait_for_the_morning() -> None:
    claimed = warsaw(3, 10, 16)
    steps = plan_resolve_reminders(
        policy(business_hours=True), claimed_at=claimed, resolve_target=timedelta(hours=2), region=REGION
    )
    assert [s.due_at for s in steps] == [warsaw(3, 10, 18), warsaw(3, 11, 8, 30), warsaw(3, 11, 9)]


# --- breaching ---------------------------------------------------------------------------------

TARGETS = Targets(claim=timedelta(minutes=5), resolve=timedelta(hours=2))


def breaching(pol: EscalationPolicy, *, start: datetime, claimed_at: datetime | None, now: datetime) -> bool:
    return is_breaching(pol, targets=TARGETS, region=REGION, start=start, claimed_at=claimed_at, now=now)


def test_unclaimed_case_breaches_when_the_claim_target_passes() -> None:
    assert not breaching(policy(), start=TUE_NOON, claimed_at=None, now=TUE_NOON + timedelta(minutes=4))
    assert breaching(policy(), start=TUE_NOON, claimed_at=None, now=TUE_NOON + timedelta(minutes=5))


def test_release_restarts_the_claim_target() -> None:
    released = TUE_NOON + timedelta(hours=1)
    assert not breaching(policy(), start=released, claimed_at=None, now=released + timedelta(minutes=1))


def test_claimed_case_breaches_when_the_resolve_target_passes() -> None:
    claimed = TUE_NOON + timedelta(minutes=20)
    assert not breaching(policy(), start=TUE_NOON, claimed_at=claimed, now=claimed + timedelta(minutes=119))
    assert breaching(policy(), start=TUE_NOON, claimed_at=claimed, now=claimed + timedelta(hours=2))


def test_business_hours_claim_target_does_not_breach_over_the_weekend() -> None:
    friday = warsaw(3, 13, 17, 58)
    pol = policy(business_hours=True)
    assert claim_deadline(pol, targets=TARGETS, region=REGION, start=friday) == warsaw(3, 16, 8, 3)
    assert not breaching(pol, start=friday, claimed_at=None, now=warsaw(3, 15, 12))
    assert breaching(pol, start=friday, claimed_at=None, now=warsaw(3, 16, 8, 3))


def test_resolve_deadline_counts_from_the_claim() -> None:
    assert resolve_deadline(
        policy(), targets=TARGETS, region=REGION, claimed_at=TUE_NOON
    ) == TUE_NOON + timedelta(hours=2)
