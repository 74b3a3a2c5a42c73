"""What every group of Store queries shares: the session factory and a dialect-aware INSERT."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class Queries:
    _sessions: async_sessionmaker[AsyncSession]
    _dialect: str

    def _insert_ignoring(self, table: Any) -> Any:
        """INSERT with ON CONFLICT support on both SQLite and PostgreSQL."""
        return (pg_insert if self._dialect == "postgresql" else sqlite_insert)(table)
