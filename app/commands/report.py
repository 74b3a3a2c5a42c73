"""`supportbot report`: the figures as a table in a language, `--json` for scripts, `--csv DIR` export."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Config
from bot.i18n.languages import CODES
from bot.models import PersonId, Priority
from bot.reports import render
from bot.reports.figures import Filters, Period, compute
from bot.reports.loading import export_csv, load_inputs
from bot.reports.periods import period_for
from bot.storage.store import Store


def _filters(args: argparse.Namespace, config: Config) -> Filters:
    regions = {r.upper() for r in args.region}
    unknown = sorted(regions - set(config.regions))
    if unknown:
        raise ValueError(f"unknown region {', '.join(unknown)} (known: {', '.join(config.regions)})")
    return Filters(
        regions=frozenset(regions),
        categories=frozenset(args.category),
        priorities=frozenset(Priority(p) for p in args.priority),
        coordinators=frozenset(PersonId(c) for c in args.coordinator),
    )


async def run_report(args: argparse.Namespace, *, store: Store, config: Config, now: datetime) -> str:
    """What `supportbot report` prints (the CSV files are written to `--csv DIR`)."""
    period: Period = period_for(args.period or f"{args.days}d", now=now, zone=ZoneInfo(args.tz))
    filters = _filters(args, config)
    inputs = await load_inputs(store, period)
    if args.csv:
        cases, events = export_csv(inputs, filters=filters)
        return await asyncio.to_thread(_write_csv, Path(args.csv), cases=cases, events=events)
    figures = compute(inputs, config=config, period=period, now=now, filters=filters)
    if args.json:
        return render.as_json(figures)
    names = {PersonId(p.id): p.name for p in config.people}
    return render.text_table(figures, args.lang, names=names)


def _write_csv(folder: Path, *, cases: str, events: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cases.csv").write_text(cases, encoding="utf-8")
    (folder / "events.csv").write_text(events, encoding="utf-8")
    return f"{folder / 'cases.csv'}\n{folder / 'events.csv'}"


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone {value!r}") from None
    return value


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    run: Callable[[Callable[[Store, Config], Awaitable[str]]], int],
    now: Callable[[], datetime],
) -> None:
    """Add `report`; `run(job)` opens the store and config, awaits `job(store, config)` and prints it."""
    report = subparsers.add_parser(
        "report", help="volumes, time to first claim and resolve, targets, CSAT, unanswered questions"
    )
    report.add_argument(
        "--period", default=None, help="7d, 30d, Nd, today, week (last full week), month (last full month)"
    )
    report.add_argument("--days", type=int, default=7, help="the last N days (when --period is not given)")
    report.add_argument("--tz", type=_zone, default="UTC", help="time zone of week, month and today")
    report.add_argument("--region", action="append", default=[], help="only this region (repeatable)")
    report.add_argument("--category", action="append", default=[], help="only this category (repeatable)")
    report.add_argument(
        "--priority", action="append", default=[], choices=[p.value for p in Priority], help="(repeatable)"
    )
    report.add_argument("--coordinator", action="append", default=[], help="person id (repeatable)")
    report.add_argument("--lang", default="en", choices=CODES, help="language of the table")
    out = report.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="the figures as one JSON object")
    out.add_argument("--csv", metavar="DIR", default=None, help="write cases.csv and events.csv to DIR")

    def command(args: argparse.Namespace) -> int:
        try:
            period_for(args.period or f"{args.days}d", now=now(), zone=ZoneInfo(args.tz))
        except ValueError as error:
            print(f"supportbot report: {error}", file=sys.stderr)
            return 2
        return run(lambda store, config: run_report(args, store=store, config=config, now=now()))

    report.set_defaults(func=command)
