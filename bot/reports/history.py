"""A case's life read back from its audit trail: first claim, first resolution, reopens, who held it.

The case row only keeps the latest claim and resolution (a release, a reassignment or a reopen
overwrites them), so every figure that needs "the first" reads the events instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.models import Case, CaseEvent, EventKind, PersonId


@dataclass(frozen=True, slots=True)
class Timeline:
    """What happened to one case, in event order; instants are UTC."""

    case: Case
    events: tuple[CaseEvent, ...]
    first_claim_at: datetime | None
    first_claimed_by: PersonId | None
    first_resolved_at: datetime | None
    resolved_by: PersonId | None  # who resolved it last
    holders: tuple[PersonId, ...]  # everyone who held the case, in the order they got it
    claims: tuple[datetime, ...]  # every claim, including re-claims after a release or a reopen
    reopens: tuple[datetime, ...]
    resolutions: tuple[datetime, ...]
    cancelled_at: datetime | None
    escalated_up: tuple[datetime, ...]  # moves to the supervisor tier

    def holder_at(self, at: datetime) -> PersonId | None:
        """Who held the case at `at` (None when it was in the queue)."""
        holder: PersonId | None = None
        for event in self.events:
            if event.at > at:
                break
            if event.kind in (EventKind.CLAIMED, EventKind.REASSIGNED):
                holder = PersonId(str(event.after.get("assignee") or event.actor))
            elif event.kind is EventKind.RELEASED:
                holder = None
        return holder


def timeline(case: Case, events: Iterable[CaseEvent]) -> Timeline:
    """Read a case's events (any order; sorted by time, then id) into its timeline."""
    ordered = tuple(sorted((e for e in events if e.case_id == case.id), key=lambda e: (e.at, e.id)))
    claims: list[datetime] = []
    first_claimed_by: PersonId | None = None
    holders: list[PersonId] = []
    reopens: list[datetime] = []
    resolutions: list[datetime] = []
    escalated_up: list[datetime] = []
    resolved_by: PersonId | None = None
    cancelled_at: datetime | None = None
    for event in ordered:
        if event.kind in (EventKind.CLAIMED, EventKind.REASSIGNED):
            holder = PersonId(str(event.after.get("assignee") or event.actor))
            if event.kind is EventKind.CLAIMED:
                claims.append(event.at)
                first_claimed_by = first_claimed_by or holder
            if holder not in holders:
                holders.append(holder)
        elif event.kind is EventKind.RESOLVED:
            resolutions.append(event.at)
            resolved_by = event.actor
        elif event.kind is EventKind.REOPENED:
            reopens.append(event.at)
        elif event.kind is EventKind.CANCELLED:
            cancelled_at = event.at
        elif event.kind is EventKind.ESCALATED_UP:
            escalated_up.append(event.at)
    return Timeline(
        case=case,
        events=ordered,
        first_claim_at=claims[0] if claims else None,
        first_claimed_by=first_claimed_by,
        first_resolved_at=resolutions[0] if resolutions else None,
        resolved_by=resolved_by,
        holders=tuple(holders),
        claims=tuple(claims),
        reopens=tuple(reopens),
        resolutions=tuple(resolutions),
        cancelled_at=cancelled_at,
        escalated_up=tuple(escalated_up),
    )
