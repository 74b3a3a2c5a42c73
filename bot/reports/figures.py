"""Reports for coordinators and supervisors: volumes, time to claim and resolve, unanswered questions."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from bot.config import Config
from bot.models import Case, CaseStatus
from bot.storage.questions import QuestionStats
from bot.storage.store import Store


@dataclass(frozen=True, slots=True)
class Durations:
    """Minutes: median, 90th percentile and maximum, over `n` cases."""

    n: int
    median: float | None
    p90: float | None
    max: float | None

    @classmethod
    def of(cls, values: list[timedelta]) -> Durations:
        minutes = sorted(v.total_seconds() / 60 for v in values)
        if not minutes:
            return cls(0, None, None, None)
        p90 = minutes[min(len(minutes) - 1, round(0.9 * (len(minutes) - 1)))]
        return cls(len(minutes), round(statistics.median(minutes), 1), round(p90, 1), round(minutes[-1], 1))


@dataclass(frozen=True, slots=True)
class Report:
    start: datetime
    end: datetime
    cases: int
    by_region: dict[str, int]
    by_priority: dict[str, int]
    by_status: dict[str, int]
    time_to_claim: Durations
    time_to_resolve: Durations
    claim_target_missed: int
    questions: QuestionStats


def build_report(
    cases: list[Case], questions: QuestionStats, *, config: Config, start: datetime, end: datetime
) -> Report:
    """Summarise the cases created in [start, end); time to resolve counts from creation."""
    claimed = [c for c in cases if c.claimed_at]
    resolved = [c for c in cases if c.status is CaseStatus.RESOLVED and c.resolved_at]
    missed = sum(1 for c in cases if (c.claimed_at or end) - c.created_at > config.targets[c.priority].claim)
    return Report(
        start=start,
        end=end,
        cases=len(cases),
        by_region=dict(Counter(c.region for c in cases).most_common()),
        by_priority=dict(Counter(c.priority.value for c in cases).most_common()),
        by_status=dict(Counter(c.status.value for c in cases).most_common()),
        time_to_claim=Durations.of([c.claimed_at - c.created_at for c in claimed if c.claimed_at]),
        time_to_resolve=Durations.of([c.resolved_at - c.created_at for c in resolved if c.resolved_at]),
        claim_target_missed=missed,
        questions=questions,
    )


def _text(report: Report) -> str:
    def durations(d: Durations) -> str:
        return "-" if not d.n else f"median {d.median} min, p90 {d.p90} min, max {d.max} min ({d.n} cases)"

    q = report.questions
    lines = [
        f"Report {report.start:%Y-%m-%d} .. {report.end:%Y-%m-%d}",
        f"cases: {report.cases}  by region: {report.by_region}  by priority: {report.by_priority}",
        f"status: {report.by_status}",
        f"time to claim: {durations(report.time_to_claim)}; claim target missed: {report.claim_target_missed}",
        f"time to resolve: {durations(report.time_to_resolve)}",
        f"questions: {q.asked} asked, {q.answered} answered, {q.helpful} helpful, {q.not_helpful} not helpful",
        "unanswered questions (most asked first):",
        *(f"  {n}x [{lang}] {text}" for text, lang, n in q.unanswered),
    ]
    return "\n".join(lines)


async def render_report(
    store: Store, config: Config, *, days: int, now: datetime, as_json: bool = False
) -> str:
    start = now - timedelta(days=days)
    cases = await store.cases_created_between(start, now)
    questions = await store.question_stats(start, now)
    report = build_report(cases, questions, config=config, start=start, end=now)
    if as_json:
        return json.dumps(asdict(report), default=str, ensure_ascii=False)
    return _text(report)
