"""The one aiohttp application: health, metrics, and every platform of `PLATFORMS`.

`create_services` builds the desk and what surrounds it; `create_app` adds health and metrics and a
cleanup context that opens the database (and migrates it), loads the knowledge base, then runs the job
worker and the knowledge-base watcher until shutdown; `build_app` mounts each platform explicitly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

from aiohttp import web

import playground
from bot.cases.desk import SupportDesk, utc_now
from bot.config import Config, Settings
from bot.directory import Directory
from bot.errors import ConfigError, ConfigProblem
from bot.knowledge import KbProblem, LiveKnowledgeBase, load_encoder
from bot.models import Platform
from bot.oncall.roster import Roster
from bot.ports import ByPlatform
from bot.storage.jobs import Job
from bot.storage.store import Store
from bot.timers.delivery import Deliveries
from bot.timers.digest import WeeklyDigest, schedule_digests
from bot.timers.inbox import Inbox
from bot.timers.worker import Failure, JobWorker
from handlers import slack, teams
from handlers.metrics import Metrics
from handlers.services import SERVICES, Services

# Every chat platform, in mounting order (see build_app). Imported explicitly: a platform that cannot
# be imported stops the server with the reason instead of silently leaving its routes out.
PLATFORMS = (playground, slack, teams)

logger = logging.getLogger(__name__)

# At shutdown, how long work in flight (interactions after their ack, jobs) may take to finish before
# it is cut off and left to the next start (aiohttp then still closes connections and the database).
DRAIN_SECONDS = 10.0
# How long work held by a process stays its own before another takes it over (SUPPORTBOT_LEASE_SECONDS
# sets both): a job's delivery may wait out a Slack Retry-After; an interaction's work is short.
JOB_LEASE, INBOX_LEASE = timedelta(minutes=2), timedelta(seconds=30)


def create_services(
    settings: Settings, config: Config, *, clock: Callable[[], datetime] = utc_now, store: Store | None = None
) -> Services:
    store = store or Store.connect(settings.database_url)
    knowledge = LiveKnowledgeBase(settings.kb_path, encoder=load_encoder())
    directory = Directory(config)
    roster = Roster(store=store, config=config, directory=directory)
    desk = SupportDesk(
        store=store,
        config=config,
        directory=directory,
        roster=roster,
        knowledge=lambda: knowledge.current,
        clock=clock,
    )
    notifier = ByPlatform({})
    metrics = Metrics()

    def on_failed(job: Job, failure: Failure) -> None:
        metrics.jobs_failed.labels(kind=job.kind, reason=failure.code).inc()

    owner = f"{socket.gethostname()}:{os.getpid()}:{id(store):x}"
    deliveries = Deliveries(
        config=config,
        directory=directory,
        roster=roster,
        store=store,
        notifier=notifier,
        digest=WeeklyDigest(
            reports=desk.reports,
            knowledge=lambda: knowledge.current,
            config=config,
            directory=directory,
            store=store,
            notifier=notifier,
        ),
        answers=desk.answers,
    )
    worker = JobWorker(
        store=store,
        handler=deliveries,
        owner=owner,
        clock=clock,
        on_failed=on_failed,
        after_failure=deliveries.after_failure,
        lease=settings.lease or JOB_LEASE,
    )
    lease = settings.lease or INBOX_LEASE
    inbox = Inbox(store=store, owner=owner, clock=clock, lease=lease, poll=min(5.0, lease.total_seconds()))
    desk.set_wake(worker.wake)
    return Services(settings, config, store, knowledge, desk, notifier, worker, metrics, inbox)


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    body = {
        "status": "ok" if services.ready else "starting",
        "articles": len(services.knowledge.current),
        "kb_problems": len(services.kb_problems),
        "platforms": sorted(p.value for p in Platform if services.notifier.supports(p)),
    }
    return web.json_response(body, status=200 if services.ready else 503)


async def metrics(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    with contextlib.suppress(Exception):
        for status, count in (await services.store.job_counts()).items():
            services.metrics.jobs.labels(status=status).set(count)
    return web.Response(
        body=services.metrics.render(), headers={"Content-Type": services.metrics.content_type}
    )


@web.middleware
async def count_requests(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    try:
        response = await handler(request)
    except web.HTTPException as error:
        request.app[SERVICES].metrics.requests.labels(route=route, status=str(error.status)).inc()
        raise
    request.app[SERVICES].metrics.requests.labels(route=route, status=str(response.status)).inc()
    return response


def _report(services: Services) -> Callable[[list[KbProblem]], None]:
    def report(problems: list[KbProblem]) -> None:
        services.kb_problems = problems
        services.metrics.kb_problems.set(len(problems))
        services.metrics.kb_articles.set(len(services.knowledge.current))
        for problem in problems:
            logger.warning("knowledge base: %s: %s", problem.path, problem.reason)

    return report


async def lifecycle(app: web.Application) -> AsyncIterator[None]:
    """Startup: migrate, load the KB, start the worker and watcher; shutdown: cancel them, close the database."""
    services = app[SERVICES]
    await services.store.migrate()
    await schedule_digests(services.store, services.config, now=services.desk.clock())
    report = _report(services)
    try:
        report(await asyncio.to_thread(services.knowledge.load))
    except OSError as error:
        raise ConfigError([ConfigProblem("KB_PATH", f"cannot read the knowledge base: {error}")]) from None
    if not services.knowledge.current and not services.settings.allow_empty_kb:
        raise ConfigError(
            [
                ConfigProblem(
                    "KB_PATH",
                    f"no articles under {services.knowledge.path}; point KB_PATH at the knowledge base,"
                    " or set SUPPORTBOT_ALLOW_EMPTY_KB=1 to serve without one",
                )
            ]
        )
    logger.info(
        "knowledge base: %d article versions from %s",
        len(services.knowledge.current),
        services.knowledge.path,
    )
    tasks = [
        asyncio.create_task(services.inbox.run_forever(), name="inbox"),
        asyncio.create_task(services.worker.run_forever(), name="job-worker"),
        asyncio.create_task(services.knowledge.watch(on_problems=report), name="kb-watcher"),
        *(asyncio.create_task(start(), name="background") for start in services.background),
    ]
    services.ready = True
    services.metrics.ready.set(1)
    try:
        yield
    finally:
        services.ready = False
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):  # the database may be the reason we stop
            # Requests still being answered when the drain ran, and jobs cut off: the next start takes them.
            await services.store.release_receipts(owner=services.inbox.owner)
            await services.store.release_jobs(owner=services.worker.owner)
        await services.store.close()


async def drain(app: web.Application) -> None:
    """On shutdown, before connections and the database close: finish the work in flight (bounded by
    DRAIN_SECONDS); what is left stays recorded (inbox, jobs) for the next start."""
    services = app[SERVICES]
    services.ready = False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_SECONDS
    worker = next((t for t in asyncio.all_tasks() if t.get_name() == "job-worker" and not t.done()), None)
    try:
        left = await services.inbox.drain(within=DRAIN_SECONDS)
    except Exception:
        logger.exception("shutdown: could not drain the inbox")
        left = -1
    services.worker.stop()
    if worker is not None:
        await asyncio.wait([worker], timeout=max(0.0, deadline - loop.time()))
    logger.info("shutdown: in-flight work drained (%s interactions left for the next start)", left)


def create_app(services: Services) -> web.Application:
    """The application with health and metrics; `build_app` mounts the platforms on it."""
    app = web.Application(middlewares=[count_requests], client_max_size=2 * 1024 * 1024)
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(drain)
    return app


def build_app(
    settings: Settings, config: Config, *, clock: Callable[[], datetime] = utc_now
) -> web.Application:
    """The full application: services, health and metrics, and every platform of `PLATFORMS`, in order.

    Each platform decides from the settings whether it is on. The playground goes first: when on, it
    returns services whose settings point Slack at its own local Web API, so Slack then runs the
    unchanged Slack handler against the playground.
    """
    services = create_services(settings, config, clock=clock)
    app = create_app(services)
    for platform in PLATFORMS:
        try:
            services = platform.mount(app, services)
        except ImportError as error:  # a platform's SDK, imported when it mounts, is missing or broken
            raise ConfigError([ConfigProblem(platform.__name__, f"cannot be loaded: {error}")]) from None
    app[SERVICES] = services
    return app


def serve(settings: Settings, config: Config) -> None:
    """Run until SIGINT/SIGTERM; aiohttp then runs the cleanup contexts (worker stop, database close)."""
    app = build_app(settings, config)
    url = f"http://{settings.host}:{settings.port}/"
    playground_on = "playground" in app.router.named_resources()

    def announce(_: str) -> None:
        print(f"supportbot serving on {url}")
        if playground_on:
            print(f"playground: {url}", flush=True)

    web.run_app(app, host=settings.host, port=settings.port, print=announce)
