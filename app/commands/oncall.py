"""The `supportbot oncall` commands: `now` (who is on duty per region) and `gaps` (coming rota gaps)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.config import Config, Region
from bot.oncall.rota import Fallback, Override, Presence, gaps, who_is_on_duty

# What chat changed (covers, accepted swaps, "/oncall on|off"), read from the store as the bot reads it.
State = tuple[Sequence[Override], Sequence[Presence]]

_FORMAT = "%Y-%m-%d %a %H:%M"


def _local(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime(_FORMAT)


def _fallback_text(region: Region) -> str:
    if region.backup:
        return "backup " + ", ".join(region.backup)
    if region.supervisors:
        return "supervisors " + ", ".join(region.supervisors)
    return "nobody (no backup or supervisors configured)"


def _regions(config: Config, only: str | None, out: TextIO) -> dict[str, Region] | None:
    if only is None:
        return dict(config.regions)
    code = only.upper()
    if code not in config.regions:
        print(f"unknown region {only!r} (known: {', '.join(config.regions)})", file=out)
        return None
    return {code: config.regions[code]}


def run_gaps(
    config: Config,
    *,
    now: datetime,
    days: int,
    region: str | None,
    overrides: Sequence[Override] = (),
    out: TextIO,
    err: TextIO,
) -> int:
    """Print each region's gaps in the next `days` days, one line each, in the region's local time."""
    regions = _regions(config, region, err)
    if regions is None:
        return 2
    width = max(len(code) for code in regions)
    for code, reg in regions.items():
        found = gaps(code, reg, start=now, end=now + timedelta(days=days), overrides=overrides)
        for start, end in found:
            span = f"{_local(start, reg.timezone)} -> {_local(end, reg.timezone)} ({reg.timezone})"
            print(f"{code:<{width}}  {span}  fallback: {_fallback_text(reg)}", file=out)
        if not found:
            print(f"{code:<{width}}  no gaps in the next {days} days", file=out)
    return 0


def run_now(
    config: Config,
    *,
    now: datetime,
    region: str | None,
    overrides: Sequence[Override] = (),
    presence: Sequence[Presence] = (),
    out: TextIO,
    err: TextIO,
) -> int:
    """Print who is on duty in each region now, whether it is a fallback, and the next handoff: the rota
    with the covers, accepted swaps and "/oncall on|off" made in chat, exactly as the bot pings."""
    regions = _regions(config, region, err)
    if regions is None:
        return 2
    width = max(len(code) for code in regions)
    for code, reg in regions.items():
        duty = who_is_on_duty(code, reg, at=now, overrides=overrides, presence=presence)
        names = ", ".join(duty.people) or "nobody"
        line = f"{code:<{width}}  {names}"
        if duty.fallback is not Fallback.NONE:
            line += f"  (fallback: {duty.fallback.value}, nobody on the rota)"
        if duty.next_handoff is not None:
            line += f"  next handoff: {_local(duty.next_handoff, reg.timezone)} ({reg.timezone})"
        print(line, file=out)
    return 0


def register(
    subparsers: argparse._SubParsersAction[Any],
    *,
    load_config: Callable[[], Config],
    clock: Callable[[], datetime],
    load_state: Callable[[datetime], State] = lambda at: ((), ()),
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> None:
    """Add `oncall now [--region R]` and `oncall gaps [--days N] [--region R]`; bare `oncall` is `now`.

    `load_state(at)` supplies what chat changed (the config alone knows none of it).
    """

    def streams() -> tuple[TextIO, TextIO]:
        return out or sys.stdout, err or sys.stderr

    def now_command(args: argparse.Namespace) -> int:
        o, e = streams()
        now = clock()
        overrides, presence = load_state(now)
        return run_now(
            load_config(),
            now=now,
            region=getattr(args, "region", None),
            overrides=overrides,
            presence=presence,
            out=o,
            err=e,
        )

    def gaps_command(args: argparse.Namespace) -> int:
        o, e = streams()
        if args.days < 1:
            print("--days must be at least 1", file=e)
            return 2
        now = clock()
        overrides, _ = load_state(now)
        return run_gaps(
            load_config(),
            now=now,
            days=args.days,
            region=args.region,
            overrides=overrides,
            out=o,
            err=e,
        )

    oncall = subparsers.add_parser("oncall", help="on-duty rotas: who is on now, coming gaps")
    oncall.set_defaults(func=now_command)
    commands = oncall.add_subparsers(dest="oncall_command")
    now_parser = commands.add_parser("now", help="who is on duty in each region now, and the next handoff")
    now_parser.add_argument("--region", help="one region code (default: all)")
    now_parser.set_defaults(func=now_command)
    gaps_parser = commands.add_parser("gaps", help="coming stretches with nobody on the rota")
    gaps_parser.add_argument("--days", type=int, default=14, help="how far ahead to look (default 14)")
    gaps_parser.add_argument("--region", help="one region code (default: all)")
    gaps_parser.set_defaults(func=gaps_command)
