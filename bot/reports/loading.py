"""Read what the figures need for a period from the store, and export its cases and events as CSV."""

from __future__ import annotations

import csv
import io
import json

from bot.reports.figures import EVERYTHING, Filters, Inputs, Period
from bot.reports.history import timeline
from bot.storage.store import Store


async def load_inputs(store: Store, period: Period) -> Inputs:
    histories = await store.histories_between(period.start, period.end)
    return Inputs(
        timelines=[timeline(case, events) for case, events in histories],
        pings=await store.chain_pings_between(period.start, period.end),
        csat=await store.csat_between(period.start, period.end),
        questions=await store.questions_between(period.start, period.end),
    )


CASE_COLUMNS = (
    "case",
    "created_at",
    "region",
    "category",
    "priority",
    "status",
    "requester",
    "assignee",
    "first_claim_at",
    "first_claimed_by",
    "first_resolved_at",
    "reopens",
    "supervisor_tier",
    "csat",
)
EVENT_COLUMNS = ("case", "at", "kind", "actor", "before", "after", "note")


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(inputs: Inputs, *, filters: Filters = EVERYTHING) -> tuple[str, str]:
    """(cases.csv, events.csv) of the cases in `inputs` that pass `filters`; instants in ISO 8601 UTC."""
    csat = {a.case_id: a.score.value for a in inputs.csat}
    cases, events = io.StringIO(), io.StringIO()
    case_rows, event_rows = csv.writer(cases), csv.writer(events)
    case_rows.writerow(CASE_COLUMNS)
    event_rows.writerow(EVENT_COLUMNS)
    for line in inputs.timelines:
        if not filters.keeps(line):
            continue
        c = line.case
        case_rows.writerow(
            _cell(v)
            for v in (
                c.ref,
                c.created_at.isoformat(),
                c.region,
                c.category,
                c.priority.value,
                c.status.value,
                c.requester,
                c.assignee or "",
                line.first_claim_at.isoformat() if line.first_claim_at else "",
                line.first_claimed_by or "",
                line.first_resolved_at.isoformat() if line.first_resolved_at else "",
                len(line.reopens),
                c.supervisor_tier,
                csat.get(c.id, ""),
            )
        )
        for e in line.events:
            event_rows.writerow(
                _cell(v)
                for v in (
                    c.ref,
                    e.at.isoformat(),
                    e.kind.value,
                    e.actor,
                    json.dumps(e.before, ensure_ascii=False, default=str),
                    json.dumps(e.after, ensure_ascii=False, default=str),
                    e.note,
                )
            )
    return cases.getvalue(), events.getvalue()
