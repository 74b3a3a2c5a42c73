"""Job worker benchmark: due jobs per second and due-to-run lag, 1 and 4 workers on PostgreSQL, 1 on SQLite.

Each worker is a separate process with its own engine (as several `supportbot serve` processes would
be), running the real `JobWorker` with a no-op handler on a real clock. Two measures per setup:

- drain: a backlog of jobs all due now; jobs/s from the first lease to the last finish.
- lag: jobs falling due at a steady rate over a few seconds while the workers run `run_forever`;
  p50/p99 of (run time - due time).

Baselines from the same run: the same handler driven by a bare asyncio loop (no database), asyncio's
own timer lag for the same schedule, and one raw `UPDATE ... WHERE id = ?` transaction per job on the
same engine (the least a worker must do to mark a job done).

Run: `.venv/bin/python bench/jobs.py [--jobs 2000] [--rate 200] [--seconds 3]`
PostgreSQL: BENCH_DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/bench; the database
is created if missing and wiped). When it cannot be reached, its rows are skipped and a line says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.jobs import Job, NewJob
from bot.storage.store import Store
from bot.timers.worker import DONE, Done, JobWorker

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Row:
    setup: str
    jobs: int
    per_second: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    note: str = ""
    ratio: float | None = None  # against the baseline of the same run: raw UPDATEs, or timer lag p99


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- databases ------------------------------------------------------------------------------------


async def postgres_ready(url: str) -> str | None:
    """Create the bench database if needed; None when reachable, else the reason."""
    parsed = make_url(url)
    admin = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            )
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except Exception as error:  # any connection failure means "skip the PostgreSQL rows"
        return f"{type(error).__name__}: {error}"
    finally:
        await admin.dispose()
    return None


async def fresh_store(url: str) -> Store:
    store = Store.connect(url)
    if store.engine.dialect.name == "postgresql":
        async with store.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await store.migrate()
    return store


async def queue(store: Store, due: list[datetime]) -> None:
    for start in range(0, len(due), 500):
        await store.add_jobs([NewJob("notify", due_at=d) for d in due[start : start + 500]], now=utc_now())


# --- one worker process ---------------------------------------------------------------------------


def worker_process(
    url: str, owner: str, mode: str, until: Synchronized[float], barrier: Barrier, results: Any
) -> None:
    logging.disable(logging.CRITICAL)
    results.put(asyncio.run(_work(url, owner, mode, until, barrier)))


async def _work(
    url: str, owner: str, mode: str, until: Synchronized[float], barrier: Barrier
) -> tuple[int, float, float, list[float]]:
    store = Store.connect(url)
    lags: list[float] = []

    async def handler(job: Job, now: datetime) -> Done:
        lags.append((now - job.due_at).total_seconds())
        return DONE

    worker = JobWorker(
        store=store, handler=handler, owner=owner, clock=utc_now, lease=timedelta(seconds=60), poll=1.0
    )
    await store.ping()  # connect (and finish importing) before the clock starts
    await asyncio.to_thread(barrier.wait)
    started = time.perf_counter()
    if mode == "drain":
        await worker.run_once()
    else:
        task = asyncio.create_task(worker.run_forever())
        # a value shared with the parent process, which sets it once the jobs are queued
        while until.value == 0 or time.time() < until.value:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finished = time.perf_counter()
    await store.close()
    return len(lags), started, finished, lags


async def run_workers(
    url: str, workers: int, mode: str, prepare: Callable[[], Awaitable[float]] | None = None
) -> tuple[int, float, list[float]]:
    """Run `workers` processes; once all are connected, `prepare()` queues jobs and says when to stop.

    Returns (jobs run, wall seconds from the first start to the last finish, lags in seconds).
    """
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers + 1)
    until = context.Value("d", 0.0)
    results = context.Queue()
    processes = [
        context.Process(target=worker_process, args=(url, f"bench-{i}", mode, until, barrier, results))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    await asyncio.to_thread(barrier.wait)
    if prepare is not None:
        until.value = await prepare()
    outcomes = [await asyncio.to_thread(results.get, True, 120) for _ in processes]
    for process in processes:
        process.join()
    ran = sum(o[0] for o in outcomes)
    wall = max(o[2] for o in outcomes) - min(o[1] for o in outcomes)
    return ran, wall, [lag for o in outcomes for lag in o[3]]


async def measure(label: str, url: str, workers: int, args: argparse.Namespace) -> list[Row]:
    store = await fresh_store(url)
    await queue(store, [utc_now()] * args.jobs)
    ran, wall, _ = await run_workers(url, workers, "drain")
    counts = await store.job_counts()
    drain = Row(f"{label}: drain backlog", ran, ran / wall, note=_check(counts, args.jobs))

    n = int(args.rate * args.seconds)
    spacing = timedelta(seconds=1 / args.rate)

    async def schedule() -> float:
        # the first job falls due after one poll interval, so idle workers have looked again by then
        start = utc_now() + timedelta(seconds=1.2)
        await queue(store, [start + i * spacing for i in range(n)])
        return (start + n * spacing).timestamp() + 2.0

    ran, _, lags = await run_workers(url, workers, "timed", schedule)
    counts = await store.job_counts()
    await store.close()
    ms = [lag * 1000 for lag in lags]
    lag = Row(
        f"{label}: {args.rate:g}/s falling due",
        ran,
        p50_ms=percentile(ms, 0.5),
        p99_ms=percentile(ms, 0.99),
        note=_check(counts, args.jobs + n),
    )
    return [drain, lag]


def _check(counts: dict[str, int], expected: int) -> str:
    done = counts.get("done", 0)
    return "all done once" if done == expected and len(counts) == 1 else f"INCOMPLETE {counts}"


# --- baselines ------------------------------------------------------------------------------------


async def bare_loop(jobs: int) -> Row:
    """The same no-op handler over in-memory jobs: what the worker costs beyond Python itself."""
    now = utc_now()
    items = [Job(i, "notify", None, 0, None, {}, now, 1, "x", "pending") for i in range(jobs)]

    async def handler(job: Job, at: datetime) -> Done:
        return DONE

    started = time.perf_counter()
    for job in items:
        await handler(job, utc_now())
    return Row("baseline: bare asyncio loop, no database", jobs, jobs / (time.perf_counter() - started))


async def timer_lag(rate: float, seconds: float) -> Row:
    """asyncio's own lag for the same schedule: sleep until each due time, note how late it woke."""
    n = int(rate * seconds)
    start = time.time() + 0.2
    heap = [start + i / rate for i in range(n)]
    heapq.heapify(heap)
    lags = []
    while heap:
        due = heapq.heappop(heap)
        await asyncio.sleep(max(0.0, due - time.time()))
        lags.append((time.time() - due) * 1000)
    return Row(
        f"baseline: asyncio timers, {rate:g}/s falling due",
        n,
        p50_ms=percentile(lags, 0.5),
        p99_ms=percentile(lags, 0.99),
    )


async def raw_updates(label: str, url: str, jobs: int) -> Row:
    """One `UPDATE jobs SET status = 'done' WHERE id = ?` transaction per job, on the same engine."""
    store = await fresh_store(url)
    await queue(store, [utc_now()] * jobs)
    ids = [j.id for j in await store.jobs(limit=jobs)]
    statement = text("UPDATE jobs SET status = 'done' WHERE id = :id")
    started = time.perf_counter()
    for job_id in ids:
        async with store.engine.begin() as connection:
            await connection.execute(statement, {"id": job_id})
    elapsed = time.perf_counter() - started
    await store.close()
    return Row(f"baseline {label}: raw UPDATE per job, 1 client", jobs, jobs / elapsed)


# --- main -----------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    def fmt(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    lines = [
        f"{'setup':<50} {'jobs':>6} {'jobs/s':>9} {'lag p50 ms':>11} {'lag p99 ms':>11} {'x baseline':>10}  check",
        "-" * 112,
    ]
    for r in rows:
        lines.append(
            f"{r.setup:<50} {r.jobs:>6} {fmt(r.per_second, ',.0f'):>9} {fmt(r.p50_ms, '.1f'):>11}"
            f" {fmt(r.p99_ms, '.1f'):>11} {fmt(r.ratio, '.2f'):>10}  {r.note}"
        )
    return "\n".join(lines)


def against(rows: list[Row], *, raw: Row, timers: Row) -> list[Row]:
    """Each worker row with its ratio: drain throughput / raw UPDATEs, or lag p99 / bare timer lag p99."""

    def ratio(row: Row) -> float | None:
        if row.per_second is not None and raw.per_second:
            return row.per_second / raw.per_second
        if row.p99_ms is not None and timers.p99_ms:
            return row.p99_ms / timers.p99_ms
        return None

    return [replace(row, ratio=ratio(row)) for row in rows]


async def main(args: argparse.Namespace) -> None:
    timers = await timer_lag(args.rate, args.seconds)
    rows: list[Row] = [await bare_loop(args.jobs), timers]
    with tempfile.TemporaryDirectory() as folder:
        raw = await raw_updates("SQLite", f"sqlite+aiosqlite:///{folder}/raw.db", args.jobs)
        rows.append(raw)
        worker = await measure("SQLite, 1 worker", f"sqlite+aiosqlite:///{folder}/jobs.db", 1, args)
        rows += against(worker, raw=raw, timers=timers)
    pg = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    problem = await postgres_ready(pg)
    if problem:
        print(
            f"PostgreSQL at {make_url(pg).render_as_string(hide_password=True)} is not reachable ({problem}); skipping its rows"
        )
    else:
        raw = await raw_updates("PostgreSQL", pg, args.jobs)
        rows.append(raw)
        for workers in (1, 4):
            label = f"PostgreSQL, {workers} worker{'s' if workers > 1 else ''}"
            rows += against(await measure(label, pg, workers, args), raw=raw, timers=timers)
    print(f"jobs worker benchmark: {os.cpu_count()} CPUs, batch 20, lease 60 s, poll 1 s, no-op handler")
    print(table(rows))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=2000, help="backlog size for the drain measure")
    parser.add_argument(
        "--rate", type=float, default=50.0, help="jobs falling due per second for the lag measure"
    )
    parser.add_argument("--seconds", type=float, default=4.0, help="how long jobs keep falling due")
    return parser.parse_args(argv)


if __name__ == "__main__":
    started = time.perf_counter()
    asyncio.run(main(parse()))
    print(f"({time.perf_counter() - started:.0f} s)")
