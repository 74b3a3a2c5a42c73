"""A case's SLA state: which target it is measured against now (claim or resolve) and when that target
passes, and the card refreshes planned for those moments, so overdue shows on the card itself."""

from __future__ import annotations

from datetime import datetime

from bot.cases.views import Sla
from bot.config import Config
from bot.models import Case, CaseStatus, NewCase
from bot.storage.jobs import NewJob
from bot.timers import escalation
from bot.timers.worker import Kind


def sla_of(config: Config, case: Case) -> Sla | None:
    """Unclaimed: the claim target, counted from creation or the last release. Claimed: the resolve
    target, counted from the claim. None for closed cases or a region the configuration no longer has."""
    region = config.regions.get(case.region)
    targets = config.targets.get(case.priority)
    if region is None or targets is None:
        return None
    policy = config.escalation
    if case.status is CaseStatus.OPEN:
        start = case.chain_started_at or case.created_at
        return Sla("claim", escalation.claim_deadline(policy, targets=targets, region=region, start=start))
    if case.status is CaseStatus.CLAIMED and case.claimed_at is not None:
        due = escalation.resolve_deadline(policy, targets=targets, region=region, claimed_at=case.claimed_at)
        return Sla("resolve", due)
    return None


def refresh_at_target(config: Config, case: Case) -> list[NewJob]:
    """A card refresh due when the case's current target passes (unfenced: it re-renders whatever is current)."""
    sla = sla_of(config, case)
    return [NewJob(Kind.UPDATE_CARD, due_at=sla.due, payload={"sla": sla.kind})] if sla else []


def claim_refresh(config: Config, new: NewCase, *, start: datetime) -> list[NewJob]:
    """The card refresh of a new case, due when its claim target passes."""
    region = config.regions.get(new.region)
    targets = config.targets.get(new.priority)
    if region is None or targets is None:
        return []
    due = escalation.claim_deadline(config.escalation, targets=targets, region=region, start=start)
    return [NewJob(Kind.UPDATE_CARD, due_at=due, payload={"sla": "claim"})]
