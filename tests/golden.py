"""Golden files: what a renderer produces (Slack Block Kit, Teams Adaptive Cards), compared with the JSON
kept under tests/payloads/<platform>/golden/.

After an intended change, refresh with `UPDATE_GOLDEN=1 .venv/bin/pytest tests/adapters` and review the
diff before committing. Only files whose content changed are rewritten; the comparison is of JSON values,
so key order and indentation never fail a test. Without UPDATE_GOLDEN, a missing file fails with that hint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.models import Platform

PAYLOADS = Path(__file__).resolve().parent / "payloads"
REFRESH = "UPDATE_GOLDEN=1 .venv/bin/pytest tests/adapters"


def golden_path(platform: Platform, name: str) -> Path:
    return PAYLOADS / platform.value / "golden" / f"{name}.json"


def assert_golden(platform: Platform, name: str, rendered: object) -> None:
    """`rendered` equals the golden file `name` of `platform` (see the module docstring)."""
    assert_matches_file(golden_path(platform, name), rendered)


def assert_matches_file(path: Path, rendered: object) -> None:
    text = json.dumps(rendered, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    actual = json.loads(text)  # tuples become lists, as in the file
    if os.environ.get("UPDATE_GOLDEN") == "1" and (not path.exists() or _read(path) != actual):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"no golden file {path.name}; write it with `{REFRESH}` and review it")
    assert actual == _read(path), f"{path.name} differs; if the change is intended: `{REFRESH}`"


def _read(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))
