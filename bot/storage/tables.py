"""SQLAlchemy 2.0 tables of the desk; portable between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, stored as naive UTC (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if isinstance(value, datetime) else None


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    client_key: Mapped[str] = mapped_column(String(200), unique=True)
    summary: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    customer_ref: Mapped[str] = mapped_column(String(200), default="")
    priority: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(50))
    region: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12))
    requester: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    chain_started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assignee: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    card: Mapped[str | None] = mapped_column(Text)
    card_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    source: Mapped[str | None] = mapped_column(Text)
    fence: Mapped[int] = mapped_column(Integer, default=0)
    supervisor_tier: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_cases_status_region_created", "status", "region", "created_at"),
        Index("ix_cases_assignee_status", "assignee", "status"),
        Index("ix_cases_requester", "requester"),
    )


class CaseEventRow(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    before: Mapped[str] = mapped_column(Text, default="{}")
    after: Mapped[str] = mapped_column(Text, default="{}")
    note: Mapped[str] = mapped_column(Text, default="")


class JobRow(Base):
    """A durable timer: one pending step (ping, re-ping, reminder, delivery) due at `due_at`."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    fence: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_jobs_status_due", "status", "due_at"),)


class ProcessedEventRow(Base):
    """Platform deliveries already handled (Slack event ids, Teams activity ids): retries do nothing."""

    __tablename__ = "processed_events"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class ConversationRow(Base):
    """Opaque per-platform data to reach a channel or person later (a Teams ConversationReference)."""

    __tablename__ = "conversations"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    platform: Mapped[str] = mapped_column(String(10))
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RotaOverrideRow(Base):
    __tablename__ = "rota_overrides"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(20))
    person: Mapped[str] = mapped_column(String(200))
    replaces: Mapped[str | None] = mapped_column(String(200))
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_rota_overrides_region_end", "region", "end"),)


class PresenceRow(Base):
    __tablename__ = "presence"

    person: Mapped[str] = mapped_column(String(200), primary_key=True)
    on_duty: Mapped[bool] = mapped_column(Boolean)
    since: Mapped[datetime] = mapped_column(UtcDateTime)


class RotaEventRow(Base):
    """Audit trail of rota changes made from chat (cover, swap, on, off)."""

    __tablename__ = "rota_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    region: Mapped[str | None] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class QuestionRow(Base):
    """Every policy question asked, what the bot answered (or not), and the asker's feedback."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    asker: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    article_id: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(default=0.0)
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    suggested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))


class CsatRow(Base):
    """The requester's answer to "Did this solve it?": one row per case, changed in place."""

    __tablename__ = "csat"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    person: Mapped[str] = mapped_column(String(200))
    score: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
