"""Support figures for a period, computed from the event history: pure, no I/O, no clock.

Definitions (the CLI, chat, App Home and the weekly digest all show these numbers):
- Volumes count what happened inside `[start, end)`: cases opened, cases first claimed, cases resolved
  (each case once), reopenings, cancellations.
- Times and targets are over the cases OPENED in the period. Time to claim runs from creation to the
  FIRST claim (a release and re-claim, a reassignment or a reopen does not move it); time to resolve
  runs from creation to the first resolution. Both run on the region's business hours and public
  holidays when the region defines `business_hours`, otherwise on the wall clock. The claim target
  is met when the first claim came within it; the resolve target counts from the first claim, as the
  desk's reminders do. A case still waiting is `pending` until its target has passed at `now`.
- Re-pings are claim-chain steps after the first ping; escalations to supervisors are cases moved to
  the supervisor tier or whose claim chain reached a step that notifies the supervisors.
- Reopen rate: of the period's cases resolved at least once, the share reopened.
- CSAT: answers given in the period to "Did this solve it?", per region and per resolving coordinator.
- Filters keep cases by region, category, priority, and coordinator (someone who held the case).
  Knowledge-base figures are about questions, which have no region: only the period applies.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config, Region
from bot.knowledge.grouping import QuestionGroup, group_questions
from bot.models import AskedQuestion, CaseId, CsatAnswer, CsatScore, PersonId, Priority
from bot.oncall.calendar import business_time_between, calendar_for
from bot.reports.history import Timeline


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    def __contains__(self, at: object) -> bool:
        return isinstance(at, datetime) and self.start <= at < self.end


@dataclass(frozen=True, slots=True)
class Filters:
    """Empty means "all"; each non-empty set keeps only cases matching one of its values."""

    regions: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    priorities: frozenset[Priority] = frozenset()
    coordinators: frozenset[PersonId] = frozenset()

    def keeps(self, line: Timeline) -> bool:
        case = line.case
        return (
            (not self.regions or case.region in self.regions)
            and (not self.categories or case.category in self.categories)
            and (not self.priorities or case.priority in self.priorities)
            and (not self.coordinators or bool(self.coordinators.intersection(line.holders)))
        )


EVERYTHING = Filters()


@dataclass(frozen=True, slots=True)
class Durations:
    """Minutes (of business time where the region has business hours) over `n` cases."""

    n: int = 0
    p50: float | None = None
    p90: float | None = None
    max: float | None = None

    @classmethod
    def of(cls, values: Iterable[timedelta]) -> Durations:
        minutes = sorted(v.total_seconds() / 60 for v in values)
        if not minutes:
            return cls()
        p90 = minutes[max(0, math.ceil(0.9 * len(minutes)) - 1)]  # nearest rank
        return cls(len(minutes), round(statistics.median(minutes), 1), round(p90, 1), round(minutes[-1], 1))


@dataclass(frozen=True, slots=True)
class Targets:
    met: int = 0
    missed: int = 0
    pending: int = 0


@dataclass(frozen=True, slots=True)
class Csat:
    yes: int = 0
    partly: int = 0
    no: int = 0

    @property
    def answered(self) -> int:
        return self.yes + self.partly + self.no

    @property
    def rate(self) -> float | None:
        """Share of answers that said yes."""
        return self.yes / self.answered if self.answered else None

    @classmethod
    def of(cls, answers: Iterable[CsatAnswer]) -> Csat:
        tally = Counter(a.score for a in answers)
        return cls(tally[CsatScore.YES], tally[CsatScore.PARTLY], tally[CsatScore.NO])


@dataclass(frozen=True, slots=True)
class CaseFigures:
    """The case figures of one slice (everything, one region, or one coordinator)."""

    opened: int = 0
    claimed: int = 0
    resolved: int = 0
    reopened: int = 0
    cancelled: int = 0
    time_to_claim: Durations = Durations()
    time_to_resolve: Durations = Durations()
    claim_target: Targets = Targets()
    resolve_target: Targets = Targets()
    repings: int = 0
    to_supervisors: int = 0
    reopen_rate: float | None = None
    csat: Csat = Csat()
    business_hours: bool = False


@dataclass(frozen=True, slots=True)
class KnowledgeFigures:
    asked: int = 0
    answered: int = 0
    suggested: int = 0
    unanswered: int = 0
    helpful: int = 0
    not_helpful: int = 0
    escalated: int = 0  # escalations that began with a question
    top_unanswered: tuple[QuestionGroup, ...] = ()
    top_not_helpful: tuple[QuestionGroup, ...] = ()

    @property
    def helpful_rate(self) -> float | None:
        rated = self.helpful + self.not_helpful
        return self.helpful / rated if rated else None


@dataclass(frozen=True, slots=True)
class Figures:
    period: Period
    filters: Filters
    total: CaseFigures
    regions: dict[str, CaseFigures]
    coordinators: dict[PersonId, CaseFigures]
    per_day: dict[date, dict[str, int]]  # cases opened per local day of the region, per region
    claim_targets: dict[str, float]  # region -> claim target in minutes of its most common priority
    knowledge: KnowledgeFigures = field(default_factory=KnowledgeFigures)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything the figures are computed from; the loader fills it from the store."""

    timelines: Sequence[Timeline]
    pings: Sequence[tuple[int, int, datetime]] = ()  # (case id, chain step, sent at)
    csat: Sequence[CsatAnswer] = ()
    questions: Sequence[AskedQuestion] = ()


def _elapsed(region: Region | None, start: datetime, end: datetime) -> timedelta:
    if region is None or region.business_hours is None:
        return max(end - start, timedelta(0))
    holidays = calendar_for(region.holidays) if region.holidays else None
    return business_time_between(
        start, end, hours=region.business_hours, zone=ZoneInfo(region.timezone), holidays=holidays
    )


def _tally(done: list[Met]) -> Targets:
    return Targets(done.count(True), done.count(False), done.count(None))


class _NotCounted:
    """A target that does not apply (a cancelled case never claimed)."""


_NOT_COUNTED = _NotCounted()
Met = bool | None | _NotCounted  # True met, False missed, None still running


@dataclass(frozen=True, slots=True)
class _Measure:
    """One case's times and targets, computed once per report (business time is not free)."""

    to_claim: timedelta | None
    to_resolve: timedelta | None
    claim_target: Met
    resolve_target: Met


def _measure(line: Timeline, *, config: Config, now: datetime) -> _Measure:
    case = line.case
    region = config.regions.get(case.region)
    target = config.targets[case.priority]
    to_claim = to_resolve = None
    claim: Met = _NOT_COUNTED
    resolve: Met = _NOT_COUNTED
    if line.first_claim_at is not None:
        to_claim = _elapsed(region, case.created_at, line.first_claim_at)
        claim = to_claim <= target.claim
    elif line.cancelled_at is None:
        claim = False if _elapsed(region, case.created_at, now) > target.claim else None
    if line.first_resolved_at is not None:
        to_resolve = _elapsed(region, case.created_at, line.first_resolved_at)
    if line.first_claim_at is not None and (line.first_resolved_at or line.cancelled_at is None):
        over = _elapsed(region, line.first_claim_at, line.first_resolved_at or now) > target.resolve
        resolve = False if over else (True if line.first_resolved_at else None)
    return _Measure(to_claim, to_resolve, claim, resolve)


@dataclass(frozen=True, slots=True)
class _Context:
    config: Config
    period: Period
    now: datetime
    pings: dict[int, list[int]]  # case id -> chain steps sent in the period
    csat: Sequence[CsatAnswer]
    measures: dict[CaseId, _Measure] = field(default_factory=dict)
    _supervisor_steps: dict[tuple[Priority, str], frozenset[int]] = field(default_factory=dict)

    def supervisor_steps(self, line: Timeline) -> frozenset[int]:
        """The claim-chain steps that notify the supervisors, for this case's priority and region."""
        key = (line.case.priority, line.case.region)
        found = self._supervisor_steps.get(key)
        if found is None:
            steps = self.config.escalation.steps_for(*key)
            found = frozenset(i for i, step in enumerate(steps) if "supervisors" in step.notify)
            self._supervisor_steps[key] = found
        return found

    def measure(self, line: Timeline) -> _Measure:
        found = self.measures.get(line.case.id)
        if found is None:
            found = self.measures[line.case.id] = _measure(line, config=self.config, now=self.now)
        return found


def _slice(lines: Sequence[Timeline], context: _Context) -> CaseFigures:
    config, period, pings = context.config, context.period, context.pings
    ids = {line.case.id for line in lines}
    cohort = [line for line in lines if line.case.created_at in period]
    to_claim: list[timedelta] = []
    to_resolve: list[timedelta] = []
    claim_met: list[Met] = []
    resolve_met: list[Met] = []
    for line in cohort:
        measure = context.measure(line)
        if measure.to_claim is not None:
            to_claim.append(measure.to_claim)
        if measure.to_resolve is not None:
            to_resolve.append(measure.to_resolve)
        if measure.claim_target is not _NOT_COUNTED:
            claim_met.append(measure.claim_target)
        if measure.resolve_target is not _NOT_COUNTED:
            resolve_met.append(measure.resolve_target)
    resolved_once = [line for line in cohort if line.resolutions]
    to_supervisors = {line.case.id for line in lines if any(at in period for at in line.escalated_up)}
    to_supervisors |= {
        line.case.id
        for line in lines
        if context.supervisor_steps(line).intersection(pings.get(line.case.id, ()))
    }
    return CaseFigures(
        opened=len(cohort),
        claimed=sum(1 for line in lines if line.first_claim_at in period),
        resolved=sum(1 for line in lines if any(at in period for at in line.resolutions)),
        reopened=sum(1 for line in lines for at in line.reopens if at in period),
        cancelled=sum(1 for line in lines if line.cancelled_at in period),
        time_to_claim=Durations.of(to_claim),
        time_to_resolve=Durations.of(to_resolve),
        claim_target=_tally(claim_met),
        resolve_target=_tally(resolve_met),
        repings=sum(1 for line in lines for step in pings.get(line.case.id, ()) if step > 0),
        to_supervisors=len(to_supervisors),
        reopen_rate=(
            sum(1 for line in resolved_once if line.reopens) / len(resolved_once) if resolved_once else None
        ),
        csat=Csat.of(a for a in context.csat if a.case_id in ids and a.at in period),
        business_hours=bool(lines)
        and all(
            (r := config.regions.get(line.case.region)) is not None and r.business_hours is not None
            for line in lines
        ),
    )


def knowledge_figures(
    questions: Iterable[AskedQuestion], *, period: Period, top: int = 5
) -> KnowledgeFigures:
    asked = [q for q in questions if q.at in period]
    unanswered = [q for q in asked if q.article_id is None]
    return KnowledgeFigures(
        asked=len(asked),
        answered=len(asked) - len(unanswered),
        suggested=sum(1 for q in unanswered if q.suggested),
        unanswered=len(unanswered),
        helpful=sum(1 for q in asked if q.helpful is True),
        not_helpful=sum(1 for q in asked if q.helpful is False),
        escalated=sum(1 for q in asked if q.case_id is not None),
        top_unanswered=tuple(group_questions(((q.text, q.lang) for q in unanswered), top=top)),
        top_not_helpful=tuple(
            group_questions(((q.text, q.lang) for q in asked if q.helpful is False), top=top)
        ),
    )


def compute(
    inputs: Inputs, *, config: Config, period: Period, now: datetime, filters: Filters = EVERYTHING
) -> Figures:
    """All figures for `period` as known at `now` (which decides whether a waiting case is late yet)."""
    lines = [line for line in inputs.timelines if filters.keeps(line)]
    sent: dict[int, list[int]] = defaultdict(list)
    for case_id, step, at in inputs.pings:
        if at in period:
            sent[case_id].append(step)
    common = _Context(config, period, now, sent, inputs.csat)
    by_region: dict[str, list[Timeline]] = defaultdict(list)
    by_person: dict[PersonId, list[Timeline]] = defaultdict(list)
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for line in lines:
        by_region[line.case.region].append(line)
        for person in line.holders:
            if not filters.coordinators or person in filters.coordinators:
                by_person[person].append(line)
        if line.case.created_at in period:
            zone = ZoneInfo(r.timezone) if (r := config.regions.get(line.case.region)) else None
            per_day[line.case.created_at.astimezone(zone).date()][line.case.region] += 1
    claim_targets = {}
    for region, region_lines in by_region.items():
        usual = Counter(line.case.priority for line in region_lines).most_common(1)[0][0]
        claim_targets[region] = config.targets[usual].claim.total_seconds() / 60
    coordinators = {}
    for person, held in sorted(by_person.items()):
        mine = _slice(held, common)
        first = [line for line in held if line.first_claimed_by == person]
        resolved_by_them = {line.case.id for line in held if line.resolved_by == person}
        coordinators[person] = CaseFigures(
            opened=mine.opened,
            claimed=sum(1 for line in first if line.first_claim_at in period),
            resolved=sum(
                1
                for line in held
                if line.resolved_by == person and any(at in period for at in line.resolutions)
            ),
            reopened=mine.reopened,
            time_to_claim=_slice(first, common).time_to_claim,
            time_to_resolve=mine.time_to_resolve,
            claim_target=_slice(first, common).claim_target,
            resolve_target=mine.resolve_target,
            to_supervisors=mine.to_supervisors,
            reopen_rate=mine.reopen_rate,
            csat=Csat.of(a for a in inputs.csat if a.case_id in resolved_by_them and a.at in period),
            business_hours=mine.business_hours,
        )
    return Figures(
        period=period,
        filters=filters,
        total=_slice(lines, common),
        regions={region: _slice(by_region[region], common) for region in sorted(by_region)},
        coordinators=coordinators,
        per_day={day: dict(sorted(counts.items())) for day, counts in sorted(per_day.items())},
        claim_targets=claim_targets,
        knowledge=knowledge_figures(inputs.questions, period=period),
    )
