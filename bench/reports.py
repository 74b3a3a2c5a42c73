"""Report benchmark: how long the figures of a month take to compute, and to render as a chart.

Synthetic month: N cases over four regions (one with business hours and public holidays), each
claimed (a tenth released and re-claimed by someone else), most resolved, some reopened, 2 re-pings
each, 3 N questions (a third unanswered, in 50 wordings). Figures: `compute()` on those timelines
(business-hours arithmetic included) and `charts.cases_per_day`. The baseline, from the same run and
data, is the old way: counts and durations straight from the case rows (the latest claim).

Run: `.venv/bin/python bench/reports.py [--cases 2000] [--repeat 3]`
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Config, Region, WorkingHours
from bot.models import (
    AskedQuestion,
    Case,
    CaseEvent,
    CaseId,
    CaseStatus,
    EventKind,
    PersonId,
    Platform,
    Priority,
)
from bot.reports import charts
from bot.reports.figures import Inputs, Period, compute
from bot.reports.history import timeline

REGIONS = ("PL", "UA", "HR", "UK")
CONFIG = Config(
    regions={
        "PL": Region(
            name="Poland",
            timezone="Europe/Warsaw",
            holidays="PL",
            business_hours=WorkingHours(start=clock_time(9), end=clock_time(17)),
        ),
        "UA": Region(name="Ukraine", timezone="Europe/Kyiv"),
        "HR": Region(name="Croatia", timezone="Europe/Zagreb"),
        "UK": Region(name="United Kingdom", timezone="Europe/London"),
    }
)
START = datetime(2026, 10, 1, tzinfo=UTC)
PERIOD = Period(START, START + timedelta(days=31))


def month(n: int) -> tuple[list[Case], list[CaseEvent], Inputs]:
    cases, events = [], []
    pings = []
    for i in range(n):
        created = START + timedelta(minutes=(31 * 24 * 60) * i / n)
        case = Case(
            CaseId(i + 1),
            f"case {i}",
            "",
            "",
            list(Priority)[i % 4],
            "returns",
            REGIONS[i % 4],
            "en",
            CaseStatus.RESOLVED,
            PersonId("rep"),
            Platform.SLACK,
            created,
        )
        claim = created + timedelta(minutes=1 + i % 30)
        mine = [
            CaseEvent(case.id, EventKind.ESCALATED, PersonId("rep"), created),
            CaseEvent(case.id, EventKind.CLAIMED, PersonId("jan"), claim, after={"assignee": "jan"}),
        ]
        if i % 10 == 0:
            mine += [
                CaseEvent(case.id, EventKind.RELEASED, PersonId("jan"), claim + timedelta(minutes=2)),
                CaseEvent(
                    case.id,
                    EventKind.CLAIMED,
                    PersonId("ola"),
                    claim + timedelta(minutes=9),
                    after={"assignee": "ola"},
                ),
            ]
        if i % 5:
            mine.append(CaseEvent(case.id, EventKind.RESOLVED, PersonId("jan"), claim + timedelta(hours=3)))
        if i % 17 == 0:
            mine.append(CaseEvent(case.id, EventKind.REOPENED, PersonId("rep"), claim + timedelta(hours=5)))
        pings += [(i + 1, 0, created), (i + 1, 1, created + timedelta(minutes=5))]
        last_claim = max(e.at for e in mine if e.kind is EventKind.CLAIMED)
        cases.append(replace(case, claimed_at=last_claim))
        events += mine
    questions = [
        AskedQuestion(
            j,
            PersonId("rep"),
            f"question number {j % 50} about returns",
            "en",
            START + timedelta(minutes=j),
            article_id=None if j % 3 == 0 else "returns",
        )
        for j in range(3 * n)
    ]
    by_case: dict[int, list[CaseEvent]] = {}
    for e in events:
        by_case.setdefault(e.case_id, []).append(e)
    lines = [timeline(c, by_case[c.id]) for c in cases]
    return cases, events, Inputs(timelines=lines, pings=pings, questions=questions)


def old_way(cases: list[Case]) -> object:
    """The former bot/reports/figures.py: counts and durations from the case rows."""
    claimed = sorted((c.claimed_at - c.created_at).total_seconds() for c in cases if c.claimed_at)
    return Counter(c.region for c in cases), Counter(c.priority for c in cases), statistics.median(claimed)


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases, _, inputs = month(args.cases)
    now = PERIOD.end
    figures = compute(inputs, config=CONFIG, period=PERIOD, now=now)
    rows = [
        ("baseline: counts from case rows (old report)", best(args.repeat, lambda: old_way(cases))),
        (
            "figures: compute() over the event history",
            best(args.repeat, lambda: compute(inputs, config=CONFIG, period=PERIOD, now=now)),
        ),
        ("chart: cases per day (PNG)", best(args.repeat, lambda: charts.cases_per_day(figures, "en"))),
        (
            "chart: time to first claim per region (PNG)",
            best(args.repeat, lambda: charts.claim_times(figures, "en")),
        ),
    ]
    print(f"{args.cases} cases, {len(inputs.questions)} questions, best of {args.repeat}")
    for name, ms in rows:
        print(f"  {name:<48} {ms:10.1f} ms")
    sizes = [len(charts.cases_per_day(figures, "en")), len(charts.claim_times(figures, "en"))]
    print(f"  PNG sizes: {sizes} bytes")


if __name__ == "__main__":
    main()
