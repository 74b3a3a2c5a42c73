"""Platforms are mounted explicitly: one that cannot be imported stops `serve` with the reason (no silent 404s)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _serve_with_broken(package: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m app serve` with `package` shadowed by one whose import fails."""
    broken = tmp_path / "broken" / package
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text(f"raise ImportError('{package} is broken on purpose')\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "broken"), str(ROOT)]),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/serve.db",
        "PORT": "1",  # never reached: the server must stop before it listens
    }
    return subprocess.run(
        [sys.executable, "-m", "app", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("package", "platform"), [("slack_bolt", "slack_bolt is broken"), ("botbuilder", "handlers.teams")]
)
def test_serve_stops_with_the_reason_when_a_platform_cannot_load(
    package: str, platform: str, tmp_path: Path
) -> None:
    result = _serve_with_broken(package, tmp_path)
    assert result.returncode == 2
    assert "config error:" in result.stderr
    assert platform in result.stderr
    assert f"{package} is broken on purpose" in result.stderr
    assert "Traceback" not in result.stderr
