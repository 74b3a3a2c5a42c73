"""Desk benchmark: escalations/s and claims/s on SQLite and PostgreSQL, 1 client and 20 concurrent clients.

Each escalation is `SupportDesk.escalate` (one transaction: the case, its event and its card-post job);
each claim is `SupportDesk.claim` (a read, then one conditional write with its event and jobs). The
baselines, from the same run and engine, are one raw INSERT of the same case row per transaction and
one raw conditional UPDATE (the claim's write alone). A last row races 20 clients for each of a few
cases and checks that exactly one claim wins each.

Run: `.venv/bin/python bench/desk.py [--cases 400] [--clients 20]`
PostgreSQL: BENCH_DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/bench, wiped).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs import PG_DEFAULT, fresh_store, postgres_ready
from sqlalchemy import insert, update
from sqlalchemy.engine import make_url

from bot.cases.desk import SupportDesk
from bot.config import BUNDLED_CONFIG, load_config
from bot.errors import AlreadyClaimed
from bot.knowledge import KnowledgeBase
from bot.models import CaseId, Identity, Platform
from bot.storage.tables import CaseRow

VALUES = {"summary": "Card terminal rejects every payment", "priority": "urgent", "region": "PL"}


@dataclass(frozen=True, slots=True)
class Row:
    setup: str
    operation: str
    clients: int
    ops: int
    per_second: float
    note: str = ""
    baseline: float | None = None  # ops/s of the raw statement measured just before, same run

    @property
    def ratio(self) -> str:
        return f"{self.per_second / self.baseline:.2f}" if self.baseline else ""


def no_knowledge() -> KnowledgeBase:
    raise RuntimeError("the desk benchmark asks no questions")


async def in_clients(clients: int, items: list[int], op: Callable[[int], Awaitable[None]]) -> float:
    """Run `op` over `items` split between `clients` concurrent clients; returns the seconds taken."""

    async def client(part: list[int]) -> None:
        for item in part:
            await op(item)

    started = time.perf_counter()
    await asyncio.gather(*(client(items[i::clients]) for i in range(clients)))
    return time.perf_counter() - started


async def measure(label: str, url: Callable[[int], str], args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    for clients in (1, args.clients):
        rows += await one_round(label, url(clients), clients, args)
    return rows


async def one_round(label: str, url: str, clients: int, args: argparse.Namespace) -> list[Row]:
    """Every measure with `clients` concurrent clients, on a fresh database."""
    rows: list[Row] = []
    store = await fresh_store(url)
    desk = SupportDesk(store=store, config=load_config(BUNDLED_CONFIG), knowledge=no_knowledge)
    kasia = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    jan = desk.directory.actor(Identity(Platform.SLACK, "U0JAN"))
    ids: list[CaseId] = []

    async def escalate(n: int) -> None:
        ids.append((await desk.escalate(kasia, VALUES, client_key=f"k{n}")).case.id)

    async def claim(n: int) -> None:
        await desk.claim(jan, ids[n])

    async def raw_insert(n: int) -> None:
        async with store.engine.begin() as connection:
            await connection.execute(insert(CaseRow).values(**case_row(f"raw{n}")))

    async def raw_claim(n: int) -> None:
        async with store.engine.begin() as connection:
            await connection.execute(
                update(CaseRow)
                .where(CaseRow.client_key == f"raw{n}", CaseRow.status == "open")
                .values(
                    status="claimed",
                    assignee="raw-baseline",
                    claimed_at=datetime.now(UTC),
                    fence=CaseRow.fence + 1,
                )
            )

    items = list(range(args.cases))
    for (baseline_name, baseline_op), (operation, op) in (
        (("baseline: raw INSERT of the case row", raw_insert), ("escalate", escalate)),
        (("baseline: raw conditional UPDATE", raw_claim), ("claim", claim)),
    ):
        baseline = len(items) / await in_clients(clients, items, baseline_op)
        rows.append(Row(label, baseline_name, clients, len(items), baseline))
        seconds = await in_clients(clients, items, op)
        rows.append(Row(label, operation, clients, len(items), len(items) / seconds, baseline=baseline))
    claimed = len(await store.cases_assigned_to(jan.id))
    if claimed != args.cases:
        rows[-1] = Row(
            label,
            "claim",
            clients,
            args.cases,
            rows[-1].per_second,
            f"ONLY {claimed} CLAIMED",
            rows[-1].baseline,
        )
    if clients > 1:
        rows.append(await contested(label, desk, clients))
    await store.close()
    return rows


async def contested(label: str, desk: SupportDesk, clients: int, cases: int = 20) -> Row:
    """`clients` coordinators' clicks race for each case; exactly one may win."""
    kasia = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    claimers = [
        desk.directory.actor(Identity(Platform.SLACK, u)) for u in ("U0JAN", "U0OLA", "U0IVANA", "U0TOM")
    ]
    winners = 0
    started = time.perf_counter()
    for n in range(cases):
        case = (await desk.escalate(kasia, VALUES, client_key=f"race{n}")).case

        async def click(i: int, case_id: CaseId = case.id) -> bool:
            try:
                await desk.claim(claimers[i % len(claimers)], case_id)
            except AlreadyClaimed:
                return False
            return True

        winners += sum(await asyncio.gather(*(click(i) for i in range(clients))))
    seconds = time.perf_counter() - started
    note = "one winner each" if winners == cases else f"{winners} WINNERS FOR {cases} CASES"
    return Row(
        label,
        f"contested claim ({clients} clicks/case)",
        clients,
        cases * clients,
        cases * clients / seconds,
        note,
    )


def case_row(client_key: str) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "client_key": client_key,
        "summary": VALUES["summary"],
        "details": "",
        "customer_ref": "",
        "priority": "urgent",
        "category": "other",
        "region": "PL",
        "language": "pl",
        "status": "open",
        "requester": "kasia",
        "origin": "slack",
        "created_at": now,
        "chain_started_at": now,
        "fence": 0,
        "supervisor_tier": False,
    }


def table(rows: list[Row]) -> str:
    lines = [
        f"{'database':<11} {'operation':<38} {'clients':>7} {'ops':>6} {'ops/s':>8} {'x baseline':>10}  check",
        "-" * 97,
    ]
    lines += [
        f"{r.setup:<11} {r.operation:<38} {r.clients:>7} {r.ops:>6} {r.per_second:>8,.0f} {r.ratio:>10}  {r.note}"
        for r in rows
    ]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += await measure(
            "SQLite", lambda clients: f"sqlite+aiosqlite:///{folder}/desk{clients}.db", args
        )
    pg = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    problem = await postgres_ready(pg)
    if problem:
        print(
            f"PostgreSQL at {make_url(pg).render_as_string(hide_password=True)} is not reachable ({problem}); skipping its rows"
        )
    else:
        rows += await measure("PostgreSQL", lambda clients: pg, args)
    print(f"desk benchmark: {os.cpu_count()} CPUs, demo config, one process, one engine per database")
    print(table(rows))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=400, help="escalations (and claims) per measure")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients in the concurrent rows")
    return parser.parse_args(argv)


if __name__ == "__main__":
    started = time.perf_counter()
    asyncio.run(main(parse()))
    print(f"({time.perf_counter() - started:.0f} s)")
