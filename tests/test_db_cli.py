"""The CLI says which database it uses (on stderr), never creates one by accident, and turns a database
it cannot use into one clear line: no schema -> "run `supportbot db upgrade`", a missing PostgreSQL
database -> its name and the server's reason. Never a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, ROOT, postgres_only


def supportbot(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=180,
        check=False,
    )


def test_a_read_command_in_a_folder_without_the_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    proc = supportbot("jobs", "failed", database_url="sqlite+aiosqlite:///data/supportbot.db", cwd=tmp_path)

    assert proc.returncode == 2
    database = tmp_path / "data" / "supportbot.db"
    assert f"supportbot: database: SQLite file {database}" in proc.stderr
    assert f"error: no database at {database}: run `supportbot db upgrade`" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not database.exists()


def test_a_database_without_the_schema_is_told_to_run_db_upgrade_and_then_works(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "empty.db").close()
    url = f"sqlite+aiosqlite:///{tmp_path}/empty.db"

    refused = supportbot("report", database_url=url, cwd=tmp_path)
    assert refused.returncode == 2
    assert "has no schema (or an old one): run `supportbot db upgrade`" in refused.stderr
    assert "Traceback" not in refused.stderr

    upgraded = supportbot("db", "upgrade", database_url=url, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert supportbot("jobs", "failed", database_url=url, cwd=tmp_path).stdout == "no failed jobs\n"


@postgres_only
def test_a_missing_postgres_database_is_one_clear_line(tmp_path: Path) -> None:
    missing = (
        make_url(POSTGRES_URL)
        .set(database="supportbot_missing_database")
        .render_as_string(hide_password=False)
    )

    proc = supportbot("db", "upgrade", database_url=missing, cwd=tmp_path)

    assert proc.returncode == 2
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert "supportbot_missing_database" in line and "does not exist" in line
    assert "Traceback" not in proc.stderr
