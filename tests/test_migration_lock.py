"""Several `supportbot serve` processes started together on one empty database all come up (the
migration runs under a lock: a PostgreSQL advisory lock, SQLite's write lock)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import POSTGRES_URL, ROOT, postgres_only
from tests.test_server import free_port, get


async def _admin(statement: str) -> None:
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database next to the test database, dropped afterwards."""
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def start_together(database_url: str, count: int) -> list[tuple[subprocess.Popen[str], int]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "MICROSOFT_"))}
    env |= {"DATABASE_URL": database_url, "SUPPORTBOT_PLAYGROUND": "0"}
    env.pop("KB_PATH", None)
    env.pop("SUPPORTBOT_CONFIG", None)
    started = []
    for _ in range(count):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append((process, port))
    return started


def healthy_then_stopped(started: list[tuple[subprocess.Popen[str], int]]) -> list[str]:
    """Wait until every process answers /healthz 200 (failing if one exits), then SIGTERM them all."""
    try:
        waiting = {port for _, port in started}
        deadline = time.monotonic() + 150
        while waiting and time.monotonic() < deadline:
            for process, port in started:
                if port not in waiting:
                    continue
                assert process.poll() is None, f"serve exited: {process.communicate()[0]}"
                try:
                    status, _ = get(f"http://127.0.0.1:{port}/healthz")
                except OSError:
                    status = 0
                if status == 200:
                    waiting.discard(port)
            time.sleep(0.1)  # polling child processes that run on their own clocks
        assert not waiting, "not every serve became healthy in time"
        for process, _ in started:
            process.send_signal(signal.SIGTERM)
        return [process.communicate(timeout=20)[0] for process, _ in started]
    finally:
        for process, _ in started:
            if process.poll() is None:
                process.kill()
                process.communicate()


@postgres_only
@pytest.mark.postgres
def test_two_serve_processes_on_one_empty_postgres_database_both_come_up(empty_postgres: str) -> None:
    started = start_together(empty_postgres, 2)
    outputs = healthy_then_stopped(started)
    assert [process.returncode for process, _ in started] == [0, 0], outputs
    assert all("Traceback" not in output for output in outputs), outputs


def test_two_serve_processes_on_one_new_sqlite_file_both_come_up(tmp_path: Path) -> None:
    started = start_together(f"sqlite+aiosqlite:///{tmp_path}/new.db", 2)
    outputs = healthy_then_stopped(started)
    assert [process.returncode for process, _ in started] == [0, 0], outputs
    assert all("Traceback" not in output for output in outputs), outputs
