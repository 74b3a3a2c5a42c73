"""Slack load benchmark: ack latency and throughput of the real server beside a bare bolt app that only acks.

Both run in this process on 127.0.0.1 against the playground's fake Slack Web API, and get the same
signed requests: a mix of policy questions (message.im events), /escalate modal submissions and
Claim button clicks on existing cases. The real server runs its job worker and does every listener's
work after the ack, as in production; the figures are the time to each HTTP response (the ack).

Run: `.venv/bin/python bench/slack_load.py [--requests 1000] [--concurrency 50] [--rounds 3]`
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp

from app.server import create_app, create_services
from bot.cases.views import escalate_form
from bot.config import BUNDLED_CONFIG, Config, Settings, load_config
from bot.directory import Directory
from bot.models import Identity, Platform
from handlers.slack import mount, web_client
from handlers.slack.blocks import to_modal
from playground.app_link import encode, kind_of, signed_headers
from playground.records import JSON
from playground.slack_api import SlackWebApi, add_routes
from playground.workspace import Workspace, demo_workspace

ROOT = Path(__file__).resolve().parents[1]
CLAIM_BLOCK = {
    "type": "actions",
    "block_id": "actions-0",
    "elements": [
        {"type": "button", "action_id": "case.claim", "text": {"type": "plain_text", "text": "Claim"}}
    ],
}
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
REPS = ("U0KASIA", "U0PETRO", "U0AMY")
COORDINATORS = ("U0JAN", "U0OLA", "U0IVANA", "U0MARIA")
QUESTIONS = (
    "Czy klient może zwrócić towar bez paragonu?",
    "Can a customer return an item without a receipt?",
    "Чи може клієнт повернути товар без чека?",
    "Može li kupac vratiti robu bez računa?",
    "How long does a refund to a card take?",
    "What do we do with a damaged delivery?",
)


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


def bare_app(api_url: str) -> web.Application:
    """The baseline: slack-bolt with the same verification, answering every request with an empty ack."""
    settings = Settings(slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=api_url)
    bolt = AsyncApp(client=web_client(settings), signing_secret=SECRET)

    async def just_ack(ack: AsyncAck) -> None:
        await ack()

    bolt.event("message")(just_ack)
    bolt.action(re.compile(".*"))(just_ack)
    bolt.view(re.compile(".*"))(just_ack)
    app = web.Application()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app.router.add_post("/slack/events", events)
    return app


def payloads(
    ws: Workspace, directory: Directory, config: Config, n: int, *, cases: int
) -> list[JSON | dict[str, str]]:
    """n requests: 40% questions, 30% /escalate submissions, 30% claims spread over `cases` cases."""
    out: list[JSON | dict[str, str]] = []
    for i in range(n):
        kind = i % 10
        if kind < 4:
            user = REPS[i % len(REPS)]
            out += ws.say(user, ws.open_im(user).id, QUESTIONS[i % len(QUESTIONS)])
        elif kind < 7:
            user = REPS[i % len(REPS)]
            actor = directory.actor(Identity(Platform.SLACK, user))
            region = directory.home_region(actor.id)
            form = escalate_form(
                actor.language, config=config, region=region, summary=f"Bench case {i}: refund"
            )
            view = ws.open_view(
                ws.new_trigger(user), to_modal(form, metadata={"channel": ws.open_im(user).id})
            )
            out.append(ws.submit(user, view.id))
        else:
            card = ws.post_message("C0PLCOORD", blocks=[CLAIM_BLOCK], text="card")
            user = COORDINATORS[i % len(COORDINATORS)]
            out.append(ws.click(user, action_id="case.claim", value=str(i % cases + 1), message=card))
    return out


async def load(
    url: str, requests: list[JSON | dict[str, str]], concurrency: int
) -> tuple[list[float], float, int]:
    """Send every request with `concurrency` in flight; returns ack latencies (s), wall time, non-200 count."""
    bodies = [encode(kind_of(p), p) for p in requests]
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                body, content_type = queue.get_nowait()
                headers = signed_headers(SECRET, body, content_type=content_type)
                started = time.perf_counter()
                async with session.post(url, data=body.encode(), headers=headers) as response:
                    await response.read()
                latencies.append(time.perf_counter() - started)
                errors += response.status != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - started, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _run(target: str, conn: Connection, *args: str) -> None:
    """Child process: serve one app until terminated; its URL goes back through `conn`."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    async def run() -> None:
        app = await APPS[target](*args)
        _, url = await serve(app)
        conn.send(url)
        await asyncio.Event().wait()

    asyncio.run(run())


async def fake_slack_app() -> web.Application:
    api = SlackWebApi(demo_workspace(load_config(BUNDLED_CONFIG)))
    app = web.Application()
    add_routes(app, api, prefix="/api/")

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({"calls": len(api.calls), "posted": len(api.calls_to("chat.postMessage"))})

    app.router.add_get("/stats", stats)
    return app


async def real_app(api_url: str, database: str) -> web.Application:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        kb_path=ROOT / "knowledge_base",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
    )
    services = create_services(settings, load_config(BUNDLED_CONFIG))
    app = create_app(services)
    mount(app, services)
    return app


async def bare_app_async(api_url: str) -> web.Application:
    return bare_app(api_url)


# What each child process serves: the fake Slack, the bot, or bare bolt (the baseline).
APPS: dict[str, Callable[..., Awaitable[web.Application]]] = {
    "fake": fake_slack_app,
    "real": real_app,
    "bare": bare_app_async,
}


def start(target: str, *args: str) -> tuple[multiprocessing.process.BaseProcess, str]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_run, args=(target, child, *args), daemon=True)
    process.start()
    if not parent.poll(120):
        raise RuntimeError(f"{target} did not start")
    return process, str(parent.recv())


async def drain(fake_url: str) -> int:
    """Wait until the real server's work after the acks is done: the fake Slack sees no new calls for 1 s."""
    last = -1
    async with aiohttp.ClientSession() as session:
        while True:
            async with session.get(fake_url + "/stats") as response:
                stats = await response.json()
            if stats["calls"] == last:
                return int(stats["posted"])
            last = stats["calls"]
            await asyncio.sleep(1.0)


async def main(args: argparse.Namespace) -> None:
    config = load_config(BUNDLED_CONFIG)
    ws = demo_workspace(config)  # builds payloads here; the servers' fake Slack is its own process
    directory = Directory(config)
    with tempfile.TemporaryDirectory() as tmp:
        fake, fake_url = start("fake")
        api_url = fake_url + "/api/"
        real, real_url = start("real", api_url, f"{tmp}/bench.db")
        bare, bare_url = start("bare", api_url)
        try:
            kasia = directory.actor(Identity(Platform.SLACK, "U0KASIA"))
            seed: list[JSON | dict[str, str]] = []
            for i in range(args.cases):
                form = escalate_form(
                    kasia.language, config=config, region="PL", summary=f"Seed case {i} for claims"
                )
                view = ws.open_view(ws.new_trigger("U0KASIA"), to_modal(form, metadata={"channel": ""}))
                seed.append(ws.submit("U0KASIA", view.id))
            await load(real_url + "/slack/events", seed, 10)
            await drain(fake_url)

            results: dict[str, list[tuple[list[float], float, int]]] = {
                "supportbot": [],
                "bare bolt (ack only)": [],
            }
            for round_ in range(args.rounds):
                requests = payloads(ws, directory, config, args.requests, cases=args.cases)
                for name, url in (("bare bolt (ack only)", bare_url), ("supportbot", real_url)):
                    results[name].append(await load(url + "/slack/events", requests, args.concurrency))
                    await drain(fake_url)
                print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
            report(args, results, posted=await drain(fake_url))
        finally:
            for process in (real, bare, fake):
                process.terminate()
                process.join(5)


def report(
    args: argparse.Namespace, results: dict[str, list[tuple[list[float], float, int]]], *, posted: int
) -> None:
    print(
        f"\n{args.requests} signed requests x {args.rounds} rounds, {args.concurrency} concurrent "
        "(40% questions, 30% /escalate submissions, 30% claims); each server in its own process\n"
    )
    print("| app | ack p50 ms | ack p99 ms | requests/s | non-200 |")
    print("|---|---:|---:|---:|---:|")
    summary: dict[str, tuple[float, float, float]] = {}
    for name, runs in results.items():
        latencies = [x for run in runs for x in run[0]]
        rate = statistics.median(len(run[0]) / run[1] for run in runs)
        errors = sum(run[2] for run in runs)
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        summary[name] = (p50, p99, rate)
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {rate:.0f} | {errors} |")
    real_s, bare_s = summary["supportbot"], summary["bare bolt (ack only)"]
    print(
        f"\nthroughput supportbot / bare: {real_s[2] / bare_s[2]:.2f} (target >= 0.60); "
        f"supportbot ack p99 {real_s[1]:.1f} ms (target < 100 ms); "
        f"work done after the acks: {posted} messages posted to the fake Slack"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", type=int, default=20, help="cases to claim (seeded before the run)")
    asyncio.run(main(parser.parse_args()))
