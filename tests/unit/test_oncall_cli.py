"""`supportbot oncall now|gaps` through a real argparse parser, a fixed clock and captured output."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.commands.oncall import register
from bot.config import Config, parse_config
from bot.models import PersonId
from bot.oncall.rota import Override

RAW: dict[str, Any] = {
    "regions": {
        "PL": {
            "name": "Poland",
            "timezone": "Europe/Warsaw",
            "layers": [{"people": ["jan"], "restrict": {"start": "08:00", "end": "18:00"}}],
            "backup": ["ivana", "ola"],
            "supervisors": ["maria"],
        },
        "HR": {
            "name": "Croatia",
            "timezone": "Europe/Zagreb",
            "layers": [{"people": ["ivana", "ola"], "shift": "1d", "handoff": "09:00"}],
            "supervisors": ["maria"],
        },
    },
    "people": [
        {"id": "jan", "name": "Jan", "role": "coordinator", "regions": ["PL"]},
        {"id": "ola", "name": "Ola", "role": "coordinator", "regions": ["PL", "HR"]},
        {"id": "ivana", "name": "Ivana", "role": "coordinator", "regions": ["HR"]},
        {"id": "maria", "name": "Maria", "role": "supervisor", "regions": ["PL", "HR"]},
    ],
}
THURSDAY_NOON = datetime(2026, 3, 12, 12, tzinfo=ZoneInfo("Europe/Warsaw")).astimezone(UTC)


def run(
    argv: list[str], *, overrides: tuple[Override, ...] = (), raw: dict[str, Any] = RAW
) -> tuple[int, list[str], str]:
    config: Config = parse_config(raw)
    out, err = io.StringIO(), io.StringIO()
    parser = argparse.ArgumentParser(prog="supportbot")
    register(
        parser.add_subparsers(),
        load_config=lambda: config,
        clock=lambda: THURSDAY_NOON,
        load_state=lambda at: (overrides, ()),
        out=out,
        err=err,
    )
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code, out.getvalue().splitlines(), err.getvalue()


def test_gaps_lists_each_gap_in_local_time_with_its_fallback() -> None:
    code, lines, _ = run(["oncall", "gaps", "--days", "2", "--region", "pl"])
    assert code == 0
    assert lines == [
        "PL  2026-03-12 Thu 18:00 -> 2026-03-13 Fri 08:00 (Europe/Warsaw)  fallback: backup ivana, ola",
        "PL  2026-03-13 Fri 18:00 -> 2026-03-14 Sat 12:00 (Europe/Warsaw)  fallback: backup ivana, ola",
    ]


def test_gaps_says_so_when_a_region_has_none() -> None:
    _, lines, _ = run(["oncall", "gaps"])
    assert lines[-1] == "HR  no gaps in the next 14 days"
    assert (
        sum(line.startswith("PL ") for line in lines) == 10
    )  # 8 weeknights and 2 weekends in 14 days from a Thursday


def test_gaps_without_backup_names_the_supervisors() -> None:
    office_hr = {
        **RAW["regions"]["HR"],
        "layers": [{"people": ["ivana"], "restrict": {"start": "08:00", "end": "18:00"}}],
    }
    raw = {**RAW, "regions": {**RAW["regions"], "HR": office_hr}}
    _, lines, _ = run(["oncall", "gaps", "--days", "1", "--region", "HR"], raw=raw)
    assert lines == [
        "HR  2026-03-12 Thu 18:00 -> 2026-03-13 Fri 08:00 (Europe/Zagreb)  fallback: supervisors maria"
    ]


def test_cover_from_storage_closes_a_gap() -> None:
    evening = datetime(2026, 3, 12, 18, tzinfo=ZoneInfo("Europe/Warsaw")).astimezone(UTC)
    morning = datetime(2026, 3, 13, 8, tzinfo=ZoneInfo("Europe/Warsaw")).astimezone(UTC)
    cover = Override("PL", PersonId("ola"), evening, morning)
    _, lines, _ = run(["oncall", "gaps", "--days", "1", "--region", "PL"], overrides=(cover,))
    assert lines == ["PL  no gaps in the next 1 days"]


def test_now_lists_each_region_with_its_next_handoff() -> None:
    code, lines, _ = run(["oncall", "now"])
    assert code == 0
    assert lines == [
        "PL  jan  next handoff: 2026-03-12 Thu 18:00 (Europe/Warsaw)",
        "HR  ivana  next handoff: 2026-03-13 Fri 09:00 (Europe/Zagreb)",
    ]


def test_bare_oncall_is_now() -> None:
    assert run(["oncall"])[1] == run(["oncall", "now"])[1]


def test_now_marks_a_fallback() -> None:
    evening = ["oncall", "now", "--region", "PL"]
    config = parse_config(RAW)
    out = io.StringIO()
    parser = argparse.ArgumentParser(prog="supportbot")
    evening_clock = datetime(2026, 3, 12, 20, tzinfo=ZoneInfo("Europe/Warsaw")).astimezone(UTC)
    register(parser.add_subparsers(), load_config=lambda: config, clock=lambda: evening_clock, out=out)
    args = parser.parse_args(evening)
    assert args.func(args) == 0
    assert out.getvalue().startswith("PL  ivana, ola  (fallback: backup, nobody on the rota)  next handoff: ")


def test_unknown_region_is_an_error() -> None:
    code, lines, err = run(["oncall", "gaps", "--region", "XX"])
    assert (code, lines) == (2, [])
    assert "unknown region 'XX'" in err
