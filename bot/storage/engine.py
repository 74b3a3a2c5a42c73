"""Engine creation (SQLite pragmas, PostgreSQL pool) and Alembic migrations, runnable from async code.

Migrations run under a lock, so several processes started together on one empty database all come
up: on PostgreSQL a transaction-scoped advisory lock, on SQLite the write lock that `BEGIN IMMEDIATE`
takes. The first process migrates; the others wait, then find the schema at head and do nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).with_name("migrations")
# The key of the PostgreSQL advisory lock held while migrating (any constant; "supportb" in ASCII).
MIGRATION_LOCK = 0x737570706F727462


class DatabaseUnavailable(Exception):
    """The database cannot be used as it is; the message is one line that says what to do."""


def describe_url(url: str) -> str:
    """Which database `url` names, for people: a SQLite file's absolute path, else the URL without password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        return database if database == ":memory:" else f"SQLite file {Path(database).resolve()}"
    return parsed.render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def unavailable(url: str, error: Exception) -> DatabaseUnavailable:
    """A driver or connection error as one line (a missing PostgreSQL database, a refused connection)."""
    cause = getattr(error, "orig", None) or error
    reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return DatabaseUnavailable(f"cannot use the database {describe_url(url)}: {reason}")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys, a busy timeout and IMMEDIATE transactions.

    IMMEDIATE transactions take SQLite's write lock up front, so two writers queue on the busy
    timeout instead of one failing with "database is locked" when it upgrades a read lock. A file
    database gets one pooled connection: every transaction takes that lock anyway, and waiting in the
    pool's queue is fair and immediate where SQLite's busy handler sleeps up to 100 ms between tries
    (200 inbox writes at once on a loaded machine: 7.6 s on a pool of connections, 5.8 s on one).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    one_connection = {"pool_size": 1, "max_overflow": 0} if database and database != ":memory:" else {}
    engine = create_async_engine(url, connect_args={"timeout": 30}, **one_connection)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision` on an open engine (Alembic's connection-sharing recipe)."""

    def run(connection: Connection) -> None:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends; a second migrator waits here, then sees head.
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await connection.run_sync(run)
