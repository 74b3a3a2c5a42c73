"""The server skeleton: health before and after startup, metrics, and a real `supportbot serve` process
that starts on the embedded defaults and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app.server import create_app, create_services, lifecycle
from bot.config import Config, Settings
from bot.errors import ConfigError
from tests.conftest import KB_PATH, ROOT


def settings_for(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/s.db", kb_path=KB_PATH, playground=False)


async def test_healthz_is_503_until_database_and_knowledge_base_are_ready(
    tmp_path: Path, config: Config
) -> None:
    services = create_services(settings_for(tmp_path), config)
    app = create_app(services)
    app.cleanup_ctx.remove(lifecycle)  # serve the routes without running startup
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["status"] == "starting"
    await services.store.close()


async def test_healthz_and_metrics_after_startup(tmp_path: Path, config: Config) -> None:
    services = create_services(settings_for(tmp_path), config)
    async with TestClient(TestServer(create_app(services))) as client:
        health = await client.get("/healthz")
        assert health.status == 200
        body = await health.json()
        assert body["status"] == "ok"
        assert body["articles"] > 100
        metrics = await client.get("/metrics")
        text = await metrics.text()
        assert metrics.headers["Content-Type"].startswith("text/plain")
        assert "supportbot_ready 1.0" in text
        assert 'supportbot_http_requests_total{route="/healthz",status="200"} 1.0' in text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_serve_process_starts_on_defaults_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/d.db",
        "SUPPORTBOT_PLAYGROUND": "0",
    }
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SUPPORTBOT_CONFIG",
        "KB_PATH",
    ):
        env.pop(name, None)
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        output = _run_until_healthy_then_stop(process, port)
    assert process.returncode == 0, output
    assert f"serving on http://127.0.0.1:{port}/" in output
    assert "Traceback" not in output
    assert (tmp_path / "d.db").exists()


def _run_until_healthy_then_stop(process: subprocess.Popen[str], port: int) -> str:
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and status != 200:
            try:
                status, _ = get(f"http://127.0.0.1:{port}/healthz")
            except OSError:
                status = 0
            if status != 200:
                assert process.poll() is None, "serve exited before it was healthy"
                time.sleep(0.2)  # polling a child process that runs on its own clock
        assert status == 200
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
        return output
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


async def test_serve_refuses_an_empty_knowledge_base_unless_told_to(tmp_path: Path, config: Config) -> None:
    empty = tmp_path / "kb"
    empty.mkdir()
    refused = create_services(replace(settings_for(tmp_path), kb_path=empty), config)
    startup = lifecycle(create_app(refused))
    with pytest.raises(ConfigError, match="no articles under"):
        await anext(startup)
    await refused.store.close()

    allowed = replace(settings_for(tmp_path), kb_path=empty, allow_empty_kb=True)
    async with TestClient(TestServer(create_app(create_services(allowed, config)))) as client:
        assert (await client.get("/healthz")).status == 200


def test_the_empty_knowledge_base_switch_is_read_from_the_environment() -> None:
    assert Settings.from_env({"SUPPORTBOT_ALLOW_EMPTY_KB": "1"}).allow_empty_kb
    assert not Settings.from_env({}).allow_empty_kb
