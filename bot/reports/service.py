"""Reports in chat: `/report [7d|30d|week|month] [region] [csv]`, the supervisor's live App Home section.

Who sees what: admins every region; supervisors their configured regions (every region when none is
configured); coordinators their regions; reps nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.directory import Directory
from bot.errors import NotAllowed
from bot.i18n import t
from bot.models import Actor, Case, Person, Role
from bot.replies import Attachment, Field, Reply
from bot.reports import charts, render
from bot.reports.figures import EVERYTHING, Figures, Filters, Period, compute
from bot.reports.loading import export_csv, load_inputs
from bot.reports.periods import NAMES, period_for
from bot.storage.store import Store
from bot.timers import escalation


@dataclass(frozen=True, slots=True)
class ReportRequest:
    period: str = "7d"
    regions: tuple[str, ...] = ()
    csv: bool = False


def parse_request(text: str, *, regions: tuple[str, ...]) -> ReportRequest | None:
    """`[7d|30d|week|month|today|Nd] [REGION...] [csv]` in any order; None when a word is none of these."""
    period, picked, csv = "7d", [], False
    known = {r.upper(): r for r in regions}
    for word in text.replace(",", " ").split():
        low = word.lower()
        if low == "csv":
            csv = True
        elif low in NAMES or (low.endswith("d") and low[:-1].isdigit()):
            period = low
        elif word.upper() in known:
            picked.append(known[word.upper()])
        else:
            return None
    return ReportRequest(period, tuple(dict.fromkeys(picked)), csv)


def visible_regions(person: Person, config: Config) -> tuple[str, ...]:
    everything = tuple(config.regions)
    if person.role is Role.ADMIN:
        return everything
    if person.role is Role.SUPERVISOR:
        mine = tuple(
            r for r in everything if r in person.regions or person.id in config.regions[r].supervisors
        )
        return mine or everything
    if person.role is Role.COORDINATOR:
        return tuple(r for r in everything if r in person.regions)
    return ()


class Reports:
    def __init__(
        self, *, store: Store, config: Config, directory: Directory, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.config = config
        self.directory = directory
        self.clock = clock

    async def figures(self, period: Period, *, filters: Filters = EVERYTHING) -> Figures:
        inputs = await load_inputs(self.store, period)
        return compute(inputs, config=self.config, period=period, now=self.clock(), filters=filters)

    def _allowed(self, actor: Actor) -> tuple[str, ...]:
        regions = visible_regions(actor.person, self.config)
        if not regions:
            raise NotAllowed("report", reason="role")
        return regions

    async def report(self, actor: Actor, text: str) -> Reply:
        """The summary card in the actor's language, with the charts (and the CSV export if asked)."""
        lang = actor.language
        allowed = self._allowed(actor)
        request = parse_request(text, regions=tuple(self.config.regions))
        if request is None:
            return Reply(text=t(lang, "report.usage"), ephemeral=True)
        refused = [r for r in request.regions if r not in allowed]
        if refused:
            return Reply(
                text=t(lang, "report.unknown_region", region=", ".join(refused), regions=", ".join(allowed)),
                ephemeral=True,
            )
        period = period_for(request.period, now=self.clock(), zone=ZoneInfo(actor.person.timezone))
        filters = Filters(regions=frozenset(request.regions or allowed))
        if request.csv:
            inputs = await load_inputs(self.store, period)
            cases, events = export_csv(inputs, filters=filters)
            stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
            return Reply(
                text=t(
                    lang, "report.csv_ready", start=f"{period.start:%Y-%m-%d}", end=f"{period.end:%Y-%m-%d}"
                ),
                attachments=(
                    Attachment(f"cases-{stamp}.csv", "cases", cases.encode(), "text/csv"),
                    Attachment(f"events-{stamp}.csv", "events", events.encode(), "text/csv"),
                ),
            )
        figures = await self.figures(period, filters=filters)
        return summary_card(figures, lang, zone=ZoneInfo(actor.person.timezone))

    async def home(self, actor: Actor) -> Reply | None:
        """The live picture for a supervisor's App Home: per region unclaimed and overdue, the cases
        escalated to supervisors, and today's figures. None for anyone else."""
        if not actor.role.is_supervisor:
            return None
        lang, now = actor.language, self.clock()
        regions = visible_regions(actor.person, self.config)
        active = await self.store.active_cases(regions)
        fields = []
        for region in regions:
            here = [c for c in active if c.region == region]
            overdue = sum(1 for c in here if self._overdue(c, now))
            unclaimed = sum(1 for c in here if c.assignee is None)
            fields.append(
                Field(region, t(lang, "home.supervisor.region", unclaimed=unclaimed, overdue=overdue))
            )
        up = [c.ref for c in active if c.supervisor_tier]
        today = await self.figures(
            period_for("today", now=now, zone=ZoneInfo(actor.person.timezone)),
            filters=Filters(regions=frozenset(regions)),
        )
        context = [
            t(
                lang,
                "home.supervisor.today",
                opened=render.number(today.total.opened, lang),
                resolved=render.number(today.total.resolved, lang),
                claim=render.minutes(today.total.time_to_claim.p50, lang),
            ),
        ]
        if up:
            context.insert(0, t(lang, "home.supervisor.escalated", cases=", ".join(up)))
        return Reply(title=t(lang, "home.supervisor.title"), fields=tuple(fields), context=tuple(context))

    def _overdue(self, case: Case, now: datetime) -> bool:
        region = self.config.regions[case.region]
        return escalation.is_breaching(
            self.config.escalation,
            targets=self.config.targets[case.priority],
            region=region,
            start=case.chain_started_at or case.created_at,
            claimed_at=case.claimed_at,
            now=now,
        )


def summary_card(figures: Figures, lang: str, *, zone: ZoneInfo) -> Reply:
    """One field per region (opened, first-claim p50 and claim target), the totals, the KB line, charts."""
    total = figures.total
    fields = [
        Field(
            region,
            t(
                lang,
                "report.region_summary",
                opened=render.number(f.opened, lang),
                claim=render.durations(f.time_to_claim, lang),
                target=render.targets(f.claim_target, lang),
            ),
        )
        for region, f in figures.regions.items()
    ]
    fields += [
        Field(t(lang, "report.col.resolved"), render.number(total.resolved, lang)),
        Field(t(lang, "report.col.reopen_rate"), render.percent(total.reopen_rate, lang)),
        Field(t(lang, "report.col.supervisors"), render.number(total.to_supervisors, lang)),
        Field(t(lang, "report.col.csat"), render.csat(total.csat, lang)),
    ]
    attachments = [
        Attachment("cases-per-day.png", t(lang, "report.chart.per_day"), charts.cases_per_day(figures, lang)),
        Attachment("time-to-claim.png", t(lang, "report.chart.claim"), charts.claim_times(figures, lang)),
    ]
    if figures.knowledge.top_unanswered:
        attachments.append(
            Attachment(
                "unanswered.png", t(lang, "report.chart.unanswered"), charts.top_unanswered(figures, lang)
            )
        )
    return Reply(
        title=render.title(figures, lang, zone),
        text="" if total.opened or figures.regions else t(lang, "report.no_cases"),
        fields=tuple(fields),
        context=(t(lang, "report.kb.title") + ": " + render.knowledge_lines(figures.knowledge, lang)[0],),
        attachments=tuple(attachments),
    )
