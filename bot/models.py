"""Domain values of the support desk: people, cases, their audit trail and queue views."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

CaseId = NewType("CaseId", int)
PersonId = NewType("PersonId", str)


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


class Role(StrEnum):
    REP = "rep"
    COORDINATOR = "coordinator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def can_claim(self) -> bool:
        return self is not Role.REP

    @property
    def is_supervisor(self) -> bool:
        return self in (Role.SUPERVISOR, Role.ADMIN)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    ESCALATED = "escalated"
    CLAIMED = "claimed"
    RELEASED = "released"
    REASSIGNED = "reassigned"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    ESCALATED_UP = "escalated_up"
    NOTE = "note"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Identity:
    """A user account on one chat platform."""

    platform: Platform
    user_id: str


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the desk knows: from the configuration, or an unknown workspace member (a rep)."""

    id: PersonId
    name: str
    role: Role = Role.REP
    regions: tuple[str, ...] = ()
    timezone: str = "UTC"
    language: str = "en"
    identities: tuple[Identity, ...] = ()

    def user_id(self, platform: Platform) -> str | None:
        return next((i.user_id for i in self.identities if i.platform is platform), None)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting right now, as the platform told us, resolved to a Person."""

    person: Person
    identity: Identity
    language: str

    @property
    def id(self) -> PersonId:
        return self.person.id

    @property
    def role(self) -> Role:
        return self.person.role


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a message lives on its platform.

    `data` is opaque JSON owned by that platform's handler; `key` is a short unique lookup key the
    handler can compute from an incoming thread reply (Slack `channel/ts`, Teams conversation id),
    so the desk can tell which case a thread belongs to.
    """

    platform: Platform
    data: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    id: CaseId
    summary: str
    details: str
    customer_ref: str
    priority: Priority
    category: str
    region: str
    language: str
    status: CaseStatus
    requester: PersonId
    origin: Platform
    created_at: datetime
    assignee: PersonId | None = None
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    card: MessageRef | None = None
    source: MessageRef | None = None
    fence: int = 0
    supervisor_tier: bool = False
    chain_started_at: datetime | None = (
        None  # creation, or the last release: the claim chain counts from here
    )

    @property
    def ref(self) -> str:
        """The human case number, e.g. CS-1042."""
        return case_ref(self.id)


def case_ref(case_id: int) -> str:
    return f"CS-{case_id}"


def parse_case_ref(text: str) -> CaseId | None:
    """`CS-1042`, `cs 1042`, `#1042` or `1042` -> 1042; anything else -> None."""
    cleaned = text.strip().upper().removeprefix("#").removeprefix("CS").lstrip("- ")
    return CaseId(int(cleaned)) if cleaned.isdigit() else None


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One line of a case's audit trail: who did what, when, and what changed."""

    case_id: CaseId
    kind: EventKind
    actor: PersonId
    at: datetime
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    id: int = 0


@dataclass(frozen=True, slots=True)
class NewCase:
    """What a requester fills in to escalate."""

    summary: str
    details: str = ""
    customer_ref: str = ""
    priority: Priority = Priority.NORMAL
    category: str = "other"
    region: str = ""
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Queue:
    """A person's view of the desk: their cases, the unclaimed ones in their regions, those past target."""

    mine: tuple[Case, ...]
    unclaimed: tuple[Case, ...]
    breaching: tuple[Case, ...]


class CsatScore(StrEnum):
    """The requester's answer to "Did this solve it?" after a resolution."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


@dataclass(frozen=True, slots=True)
class CsatAnswer:
    """One answer per case (the latest wins); `comment` is optional free text."""

    case_id: CaseId
    person: PersonId
    score: CsatScore
    at: datetime
    comment: str = ""


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A policy question as recorded: answered when `article_id` is set, `suggested` when the bot offered
    candidates instead; `case_id` is the case escalated from it, if any."""

    id: int
    asker: PersonId
    text: str
    lang: str
    at: datetime
    article_id: str | None = None
    suggested: bool = False
    helpful: bool | None = None
    case_id: CaseId | None = None


@dataclass(frozen=True, slots=True)
class ChainPing:
    """A claim-chain step that was sent: step 0 is the first ping, later steps are re-pings."""

    case_id: CaseId
    step: int
    at: datetime
