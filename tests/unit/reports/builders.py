"""Hand-built case histories for report tests: cases, their events, and a two-region config."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.config import Config, EscalationPolicy, EscalationStep, Region, WorkingHours
from bot.models import Case, CaseEvent, CaseId, CaseStatus, EventKind, PersonId, Platform, Priority
from bot.reports.history import Timeline, timeline

MINUTE = timedelta(minutes=1)

CONFIG = Config(
    regions={
        "PL": Region(
            name="Poland",
            timezone="Europe/Warsaw",
            holidays="PL",
            business_hours=WorkingHours(start=time(9), end=time(17)),
        ),
        "UA": Region(name="Ukraine", timezone="Europe/Kyiv"),
    },
    escalation=EscalationPolicy(
        steps={
            p: (
                EscalationStep(after=timedelta(0), notify=("on_duty",)),
                EscalationStep(after=timedelta(minutes=15), notify=("on_duty", "backup")),
                EscalationStep(after=timedelta(minutes=30), notify=("supervisors",)),
            )
            for p in Priority
        }
    ),
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def case(
    case_id: int,
    *,
    created: datetime,
    region: str = "UA",
    priority: Priority = Priority.NORMAL,
    category: str = "returns",
) -> Case:
    return Case(
        id=CaseId(case_id),
        summary=f"case {case_id}",
        details="",
        customer_ref="",
        priority=priority,
        category=category,
        region=region,
        language="en",
        status=CaseStatus.OPEN,
        requester=PersonId("kasia"),
        origin=Platform.SLACK,
        created_at=created,
    )


class History:
    """Events of one case, written in order: `h.claim("jan", at)`, `h.release(...)`, ..."""

    def __init__(self, c: Case) -> None:
        self.case = c
        self.events = [CaseEvent(c.id, EventKind.ESCALATED, c.requester, c.created_at, id=self._id())]

    _next = 0

    @classmethod
    def _id(cls) -> int:
        cls._next += 1
        return cls._next

    def _add(self, kind: EventKind, actor: str, at: datetime, **after: Any) -> History:
        self.events.append(CaseEvent(self.case.id, kind, PersonId(actor), at, after=after, id=self._id()))
        return self

    def claim(self, who: str, at: datetime) -> History:
        return self._add(
            EventKind.CLAIMED, who, at, status="claimed", assignee=who, claimed_at=at.isoformat()
        )

    def release(self, who: str, at: datetime) -> History:
        return self._add(EventKind.RELEASED, who, at, status="open", assignee=None)

    def reassign(self, who: str, to: str, at: datetime) -> History:
        return self._add(EventKind.REASSIGNED, who, at, assignee=to)

    def resolve(self, who: str, at: datetime) -> History:
        return self._add(EventKind.RESOLVED, who, at, status="resolved")

    def reopen(self, who: str, at: datetime) -> History:
        return self._add(EventKind.REOPENED, who, at, status="open", assignee=None)

    def cancel(self, who: str, at: datetime) -> History:
        return self._add(EventKind.CANCELLED, who, at, status="cancelled")

    def escalate_up(self, who: str, at: datetime) -> History:
        return self._add(EventKind.ESCALATED_UP, who, at, supervisor_tier=True)

    @property
    def line(self) -> Timeline:
        return timeline(self.case, self.events)
