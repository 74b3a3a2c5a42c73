"""What every platform is given when it mounts: the desk and the parts around it, and one network check.

`app/server.py` builds a `Services` once per application and hands it to each platform's
`mount(app, services)`; the application also keeps it under `SERVICES` for health and metrics.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.cases.desk import SupportDesk
from bot.config import Config, Settings
from bot.knowledge import KbProblem, LiveKnowledgeBase
from bot.ports import ByPlatform
from bot.storage.store import Store
from bot.timers.inbox import Inbox
from bot.timers.worker import JobWorker
from handlers.metrics import Metrics


@dataclass
class Services:
    """Everything the routes share. A platform that changes the settings for those mounted after it
    (the playground points Slack at itself) returns a copy from its `mount`; it never edits this one."""

    settings: Settings
    config: Config
    store: Store
    knowledge: LiveKnowledgeBase
    desk: SupportDesk
    notifier: ByPlatform
    worker: JobWorker
    metrics: Metrics
    inbox: Inbox
    ready: bool = False
    kb_problems: list[KbProblem] = field(default_factory=list)
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)


SERVICES = web.AppKey("services", Services)


def is_loopback(remote: str | None) -> bool:
    """True for 127.0.0.0/8 and ::1 (also IPv4-mapped); False for anything else, unparsable or unknown."""
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback
