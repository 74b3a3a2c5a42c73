"""Prometheus metrics of one server, in a registry of its own (so tests can build many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "supportbot_http_requests",
            "HTTP requests by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.jobs_failed = Counter(
            "supportbot_jobs_failed",
            "Jobs parked as failed after their last attempt, by kind and reason",
            ["kind", "reason"],
            registry=self.registry,
        )
        self.jobs = Gauge(
            "supportbot_jobs", "Jobs by status at the last worker pass", ["status"], registry=self.registry
        )
        self.kb_articles = Gauge(
            "supportbot_kb_articles", "Article versions being served", registry=self.registry
        )
        self.kb_problems = Gauge(
            "supportbot_kb_problems", "Article files with problems", registry=self.registry
        )
        self.ready = Gauge(
            "supportbot_ready", "1 once the database and knowledge base are ready", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
