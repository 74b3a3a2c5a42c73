"""The one aiohttp application: health, metrics, and the Slack, Teams and playground routes.

`create_app` wires the desk to the platforms; its cleanup context opens the database (and migrates
it), loads the knowledge base, then runs the job worker and the knowledge-base watcher until shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.config import Config, Settings
from bot.delivery import Deliveries
from bot.desk import SupportDesk, utc_now
from bot.errors import ConfigError, ConfigProblem
from bot.jobs import JobWorker
from bot.knowledge import KbProblem, LiveKnowledgeBase, load_encoder
from bot.models import Platform
from bot.ports import ByPlatform
from bot.storage.jobs import Job
from bot.storage.store import Store
from handlers.metrics import Metrics

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the routes share; held on the app under SERVICES."""

    settings: Settings
    config: Config
    store: Store
    knowledge: LiveKnowledgeBase
    desk: SupportDesk
    notifier: ByPlatform
    worker: JobWorker
    metrics: Metrics
    ready: bool = False
    kb_problems: list[KbProblem] = field(default_factory=list)
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)


SERVICES = web.AppKey("services", Services)


def create_services(
    settings: Settings, config: Config, *, clock: Callable[[], datetime] = utc_now, store: Store | None = None
) -> Services:
    store = store or Store.connect(settings.database_url)
    knowledge = LiveKnowledgeBase(settings.kb_path, encoder=load_encoder())
    desk = SupportDesk(store=store, config=config, knowledge=lambda: knowledge.current, clock=clock)
    notifier = ByPlatform({})
    metrics = Metrics()

    def on_failed(job: Job, reason: str) -> None:
        metrics.jobs_failed.labels(kind=job.kind).inc()

    worker = JobWorker(
        store=store,
        handler=Deliveries(desk=desk, notifier=notifier),
        owner=f"{socket.gethostname()}:{os.getpid()}:{id(store):x}",
        clock=clock,
        on_failed=on_failed,
    )
    desk.set_wake(worker.wake)
    return Services(settings, config, store, knowledge, desk, notifier, worker, metrics)


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


def is_loopback(remote: str | None) -> bool:
    """True for 127.0.0.0/8 and ::1 (also IPv4-mapped); False for anything else, unparsable or unknown."""
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


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
    report = _report(services)
    try:
        report(await asyncio.to_thread(services.knowledge.load))
    except OSError as error:
        raise ConfigError([ConfigProblem("KB_PATH", f"cannot read the knowledge base: {error}")]) from None
    logger.info(
        "knowledge base: %d article versions from %s",
        len(services.knowledge.current),
        services.knowledge.path,
    )
    tasks = [
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
        await services.store.close()


def create_app(services: Services) -> web.Application:
    """The application with health and metrics; platforms mount themselves with `mount(app)` afterwards."""
    app = web.Application(middlewares=[count_requests], client_max_size=2 * 1024 * 1024)
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(lifecycle)
    return app


def build_app(
    settings: Settings, config: Config, *, clock: Callable[[], datetime] = utc_now
) -> web.Application:
    """The full application: services, health and metrics, and every platform that is configured."""
    services = create_services(settings, config, clock=clock)
    app = create_app(services)
    mount_platforms(app)
    return app


def mount_platforms(app: web.Application) -> None:
    """Mount the playground, Slack and Teams on `app` (each decides from the settings whether it is on).

    The playground goes first: when on, it points the settings' Slack at its own local Web API, so
    Slack's `mount` then runs the unchanged Slack handler against the playground.
    """
    for module in ("playground", "handlers.slack", "handlers.teams"):
        try:
            mount = __import__(module, fromlist=["mount"]).mount
        except (ImportError, AttributeError):
            logger.debug("%s has no mount(); skipped", module)
            continue
        mount(app)


def serve(settings: Settings, config: Config) -> None:
    """Run until SIGINT/SIGTERM; aiohttp then runs the cleanup contexts (worker stop, database close)."""
    app = build_app(settings, config)
    url = f"http://{settings.host}:{settings.port}/"
    playground = "playground" in app.router.named_resources()

    def announce(_: str) -> None:
        print(f"supportbot serving on {url}")
        if playground:
            print(f"playground: {url}", flush=True)

    web.run_app(app, host=settings.host, port=settings.port, print=announce)


def register_commands(subparsers: Any, settings: Settings) -> None:
    """Platform commands of the CLI (`teams-package`), so `bot/cli.py` imports no platform itself."""
    from handlers.teams.package import register

    register(subparsers, app_id=settings.microsoft_app_id, website=settings.public_url)


async def platform_problems(store: Store, config: Config) -> list[str]:
    """What `config check` reports about the platforms' view of the config (Teams channels never seen)."""
    from handlers.teams import unseen_channels

    return await unseen_channels(store, config)
