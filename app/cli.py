"""The `supportbot` command line (`serve`, `kb`, `db`, `config`, `oncall`, `jobs`, `report`, `teams-package`).

The environment is read once, after the arguments are parsed (so `--help` works whatever the
environment says), and only by the commands that need it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from app.commands import kb as kb_cli
from app.commands import oncall as oncall_cli
from app.commands import report as report_cli
from bot.config import Config, Settings, load_config, settings_from_process
from bot.errors import ConfigError
from bot.oncall.roster import stored_state
from bot.storage.engine import DatabaseUnavailable, describe_url, sqlite_path
from bot.storage.store import Store
from handlers.teams import package as teams_package
from handlers.teams import unseen_channels


def _now() -> datetime:
    return datetime.now(UTC)


@cache
def _settings() -> Settings:
    """The process's settings, read from the environment on first use and never again."""
    return settings_from_process()


def _config(settings: Settings) -> Config:
    return load_config(settings.config_path)


async def _open_store(settings: Settings, *, migrate: bool) -> Store:
    """The store of DATABASE_URL, said on stderr (stdout stays the command's own). `migrate` brings the
    schema to head; otherwise a database without it is refused with "run `supportbot db upgrade`", and
    a SQLite file that does not exist is not created (a command run from another folder would
    otherwise answer from a new, empty database)."""
    print(f"supportbot: database: {describe_url(settings.database_url)}", file=sys.stderr)
    path = sqlite_path(settings.database_url)
    if not migrate and path is not None and not path.exists():
        raise DatabaseUnavailable(
            f"no database at {path.resolve()}: run `supportbot db upgrade`, or set DATABASE_URL"
        )
    store = Store.connect(settings.database_url)
    try:
        await (store.migrate() if migrate else store.require_schema())
    except DatabaseUnavailable:
        await store.close()
        raise
    return store


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from app.server import serve
    except ImportError as error:
        print(
            f"config error: a chat platform cannot be loaded, so the server does not start: {error}",
            file=sys.stderr,
        )
        return 2

    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    settings = _settings()
    config = _config(settings)
    print(f"supportbot: database: {describe_url(settings.database_url)}", file=sys.stderr)
    serve(settings, config)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings()

    async def run() -> None:
        await (await _open_store(settings, migrate=True)).close()

    asyncio.run(run())
    print(f"database at head: {describe_url(settings.database_url)}")
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    """Validate the file; then warn about what will not work as configured (missing channels, no rota,
    Teams channels the bot has never seen, which needs the database)."""
    settings = _settings()
    path = Path(args.file) if args.file else settings.config_path
    config = load_config(path)
    print(f"{path}: ok ({len(config.regions)} regions, {len(config.people)} people)")
    for code, region in config.regions.items():
        if not region.channels.slack and not region.channels.teams:
            print(f"{path}: warning: regions.{code}.channels: no coordinators channel on any platform")
        if not region.layers:
            print(f"{path}: warning: regions.{code}.layers: no rota; pings go to the backup list")

    async def seen() -> list[str]:
        store = await _open_store(settings, migrate=True)
        try:
            return await unseen_channels(store, config)
        finally:
            await store.close()

    for problem in asyncio.run(seen()):
        print(f"{path}: warning: {problem}")
    return 0


def cmd_jobs_failed(args: argparse.Namespace) -> int:
    settings = _settings()

    async def run() -> int:
        store = await _open_store(settings, migrate=False)
        try:
            jobs = await store.failed_jobs(limit=args.limit)
        finally:
            await store.close()
        for job in jobs:
            print(f"{job.id}\t{job.kind}\tcase {job.case_id}\tattempts {job.attempts}\t{job.last_error}")
        if not jobs:
            print("no failed jobs")
        return 0

    return asyncio.run(run())


def _with_store(job: Callable[[Store, Config], Awaitable[str]]) -> int:
    """Open the database and configuration, print what `job` returns; a bad filter is exit 2."""
    settings = _settings()
    config = _config(settings)

    async def run() -> str:
        store = await _open_store(settings, migrate=False)
        try:
            return await job(store, config)
        finally:
            await store.close()

    try:
        print(asyncio.run(run()))
    except ValueError as error:
        print(f"supportbot report: {error}", file=sys.stderr)
        return 2
    return 0


def _stored_state(at: datetime) -> oncall_cli.State:
    """What chat changed in the rota (covers, accepted swaps, "/oncall on|off"), read as the bot reads it,
    so `oncall now|gaps` and chat agree."""
    settings = _settings()

    async def run() -> oncall_cli.State:
        store = await _open_store(settings, migrate=True)
        try:
            return await stored_state(store, at=at)
        finally:
            await store.close()

    return asyncio.run(run())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportbot", description="Support coordination bot for Slack and Teams."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="run the HTTP server (Slack, Teams, playground, health, metrics)"
    )
    serve.set_defaults(func=cmd_serve)

    kb_cli.register(commands, default_kb=lambda: str(_settings().kb_path))

    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply migrations to DATABASE_URL").set_defaults(func=cmd_db_upgrade)

    config = commands.add_parser("config", help="configuration").add_subparsers(
        dest="config_command", required=True
    )
    check = config.add_parser("check", help="validate the configuration file")
    check.add_argument("file", nargs="?", help="YAML file (default: SUPPORTBOT_CONFIG or the bundled demo)")
    check.set_defaults(func=cmd_config_check)

    oncall_cli.register(
        commands, load_config=lambda: _config(_settings()), clock=_now, load_state=_stored_state
    )

    jobs = commands.add_parser("jobs", help="durable timers").add_subparsers(
        dest="jobs_command", required=True
    )
    failed = jobs.add_parser("failed", help="list jobs parked as failed")
    failed.add_argument("--limit", type=int, default=100)
    failed.set_defaults(func=cmd_jobs_failed)

    teams_package.register(
        commands, app_id=lambda: _settings().microsoft_app_id, website=lambda: _settings().public_url
    )

    report_cli.register(commands, run=_with_store, now=_now)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args))
    except ConfigError as error:
        for problem in error.problems:
            print(f"config error: {problem}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
