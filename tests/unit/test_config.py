"""Configuration: every kind of mistake gets its own message with its key path; the CLI exits non-zero cleanly."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import BUNDLED_CONFIG, Settings, load_config, parse_config, parse_duration
from bot.errors import ConfigError
from bot.models import Priority

ROOT = Path(__file__).resolve().parents[2]


def base() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    return raw


def problems(raw: Any) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    return [str(p) for p in error.value.problems]


def test_bundled_demo_config_is_valid() -> None:
    config = load_config(BUNDLED_CONFIG)
    assert set(config.regions) == {"PL", "UA", "HR", "UK"}
    assert set(config.targets) == set(Priority)
    assert [step.notify for step in config.escalation.steps_for(Priority.URGENT, "PL")][-1] == ("channel",)


def test_unknown_region_of_a_person() -> None:
    raw = base()
    raw["people"][0]["regions"] = ["PL", "DE"]
    assert problems(raw) == ["people.0.regions: unknown region 'DE'"]


def test_bad_time_zone_names_its_key_path() -> None:
    raw = base()
    raw["regions"]["PL"]["timezone"] = "Europe/Warsw"
    assert problems(raw) == ["regions.PL.timezone: unknown time zone 'Europe/Warsw'"]


def test_duplicate_person() -> None:
    raw = base()
    raw["people"].append(dict(raw["people"][0], slack="U0OTHER", teams="29:other"))
    assert problems(raw) == [f"people.{len(raw['people']) - 1}.id: duplicate person 'kasia'"]


def test_account_used_by_two_people() -> None:
    raw = base()
    raw["people"][1]["slack"] = raw["people"][0]["slack"]
    assert problems(raw) == ["people.1.slack: 'U0KASIA' is also 'kasia'"]


def test_unknown_person_on_a_rota_and_backup() -> None:
    raw = base()
    raw["regions"]["UK"]["layers"][0]["people"] = ["tom", "ghost"]
    raw["regions"]["UK"]["backup"] = ["nobody"]
    assert sorted(problems(raw)) == [
        "regions.UK.backup: unknown person 'nobody'",
        "regions.UK.layers.0.people: unknown person 'ghost'",
    ]


def test_bad_duration_and_priority() -> None:
    raw = base()
    raw["targets"]["urgent"]["claim"] = "soon"
    raw["escalation"]["steps"]["whenever"] = []
    found = problems(raw)
    assert "targets.urgent.claim: not a duration: 'soon' (use e.g. 30s, 5m, 2h, 3d, 1w)" in found
    assert any(p.startswith("escalation.steps.whenever") for p in found)


def test_steps_out_of_order() -> None:
    raw = base()
    raw["escalation"]["steps"]["low"] = [
        {"after": "1h", "notify": ["on_duty"]},
        {"after": "5m", "notify": ["backup"]},
    ]
    assert problems(raw) == ["escalation.steps: low: steps must be in order of `after`"]


def test_unknown_key_is_reported() -> None:
    raw = base()
    raw["regions"]["PL"]["chanels"] = {}
    assert problems(raw) == ["regions.PL.chanels: Extra inputs are not permitted"]


def test_not_a_mapping() -> None:
    assert problems(["a"]) == ["config: the configuration must be a mapping with a `regions:` key"]


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("regions:\n  PL: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value.problems[0]).startswith(f"{path}:3: not valid YAML")


def test_durations() -> None:
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("5m") == parse_duration(5) == timedelta(minutes=5)
    assert parse_duration("1w") == timedelta(days=7)


def test_settings_from_env_defaults_and_overrides() -> None:
    defaults = Settings.from_env({})
    assert (defaults.database_url, defaults.port, defaults.slack_enabled) == (
        "sqlite+aiosqlite:///data/supportbot.db",
        3978,
        False,
    )
    assert defaults.playground_enabled
    custom = Settings.from_env({"PORT": "8080", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert (custom.port, custom.slack_enabled, custom.playground_enabled) == (8080, True, False)
    assert "xoxb-1" not in repr(custom)


def test_bad_port_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="PORT: not a TCP port: 'eighty'"):
        Settings.from_env({"PORT": "eighty"})


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        timeout=120,
        check=False,
    )


def test_config_check_cli_reports_every_problem_without_traceback(tmp_path: Path) -> None:
    raw = base()
    raw["regions"]["PL"]["timezone"] = "Mars/Olympus"
    raw["people"][0]["regions"] = ["XX"]
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = run_cli("config", "check", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "config error: regions.PL.timezone: unknown time zone 'Mars/Olympus'" in result.stderr
    assert "config error: people.0.regions: unknown region 'XX'" in result.stderr


def test_config_check_cli_accepts_the_demo_and_names_unseen_teams_channels(tmp_path: Path) -> None:
    result = run_cli(
        "config", "check", str(BUNDLED_CONFIG), env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db"}
    )
    assert result.returncode == 0, result.stderr
    assert "ok (4 regions, 10 people)" in result.stdout
    assert (
        "warning: regions.PL.channels.teams: the bot has never seen Teams channel 19:pl-coordinators"
        in result.stdout
    )


def test_teams_package_cli_writes_manifest_icons_and_zip(tmp_path: Path) -> None:
    result = run_cli(
        "teams-package", "--out", str(tmp_path / "pkg"), "--app-id", "00000000-0000-4000-8000-000000000001"
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "pkg").iterdir()) == [
        "color.png",
        "manifest.json",
        "outline.png",
        "teams-app.zip",
    ]


def test_serve_with_bad_config_exits_non_zero_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("regions: 3\n", encoding="utf-8")
    result = run_cli("serve", env={"SUPPORTBOT_CONFIG": str(path)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "config error: regions:" in result.stderr


def test_unknown_holiday_country_and_short_shift() -> None:
    raw = base()
    raw["regions"]["PL"]["holidays"] = "XQ"
    raw["regions"]["UA"]["layers"][0]["shift"] = "30m"
    assert sorted(problems(raw)) == [
        "regions.PL.holidays: no public-holiday calendar for country 'XQ'",
        "regions.UA.layers.0.shift: a shift lasts at least 1h",
    ]


def test_serve_without_a_readable_knowledge_base_exits_with_the_reason(tmp_path: Path) -> None:
    result = run_cli(
        "serve",
        env={
            "KB_PATH": str(tmp_path / "missing"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/d.db",
            "PORT": "3979",
        },
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"config error: KB_PATH: cannot read the knowledge base: {tmp_path / 'missing'}" in result.stderr
