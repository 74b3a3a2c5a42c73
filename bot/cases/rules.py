"""Case rules: who may do what to a case in which status. Pure checks that raise typed errors."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.errors import IllegalTransition, InvalidInput, NotAllowed, ReopenWindowClosed
from bot.models import Actor, Case, CaseStatus, NewCase, Priority

ACTIVE = (CaseStatus.OPEN.value, CaseStatus.CLAIMED.value)


def require_status(case: Case, action: str, *allowed: CaseStatus) -> None:
    if case.status not in allowed:
        raise IllegalTransition(action, case.status.value)


def require_claimer(actor: Actor) -> None:
    """Only coordinators, supervisors and admins claim."""
    if not actor.role.can_claim:
        raise NotAllowed("claim", reason="role")


def require_owner(actor: Actor, case: Case, action: str) -> None:
    """The assignee or a supervisor (or admin) may resolve, release, reassign and escalate up."""
    if actor.id != case.assignee and not actor.role.is_supervisor:
        raise NotAllowed(action, reason="not_assignee")


def require_participant(actor: Actor, case: Case) -> None:
    """Notes come from the requester, the assignee, or any coordinator."""
    if actor.id not in (case.requester, case.assignee) and not actor.role.can_claim:
        raise NotAllowed("note", reason="not_participant")


def require_reopener(actor: Actor, case: Case, *, now: datetime, window: timedelta) -> None:
    """The requester may reopen within the window after resolution; supervisors always may."""
    require_status(case, "reopen", CaseStatus.RESOLVED)
    if actor.role.is_supervisor:
        return
    if actor.id not in (case.requester, case.assignee):
        raise NotAllowed("reopen", reason="not_requester")
    if case.resolved_at and now - case.resolved_at > window:
        raise ReopenWindowClosed(case.ref, days=window.total_seconds() / 86400)


def validate_new_case(
    values: dict[str, str], *, regions: set[str], categories: set[str], lang: str
) -> NewCase:
    """Turn submitted form values into a NewCase; InvalidInput names the first bad field."""
    summary = " ".join(values.get("summary", "").split())
    if len(summary) < 5:
        raise InvalidInput("summary", "invalid.summary_short")
    if len(summary) > 150:
        raise InvalidInput("summary", "invalid.too_long", limit=150)
    details = values.get("details", "").strip()
    if len(details) > 3000:
        raise InvalidInput("details", "invalid.too_long", limit=3000)
    customer_ref = values.get("customer_ref", "").strip()
    if len(customer_ref) > 100:
        raise InvalidInput("customer_ref", "invalid.too_long", limit=100)
    try:
        priority = Priority(values.get("priority") or Priority.NORMAL.value)
    except ValueError:
        raise InvalidInput("priority", "invalid.choice") from None
    region = values.get("region", "")
    if region not in regions:
        raise InvalidInput("region", "invalid.choice")
    category = values.get("category") or "other"
    if category not in categories:
        raise InvalidInput("category", "invalid.choice")
    return NewCase(summary, details, customer_ref, priority, category, region, lang)
