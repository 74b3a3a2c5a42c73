"""The weekly digest: every Monday morning in each region's time zone, last week against the week before.

Durable like every timer: one `weekly_digest` job per region is pending at any time (queued at start-up
when missing, and each run queues the next week's). A run records `digest:<region>:<week>` once it has
sent, so a duplicate job (two servers starting at once) or a re-run after a restart sends nothing again.
Recipients: the region's supervisors; article owners (people in the configuration whose id is an
article's `owner`) get the knowledge-base part for their articles with the job of region `*`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.directory import Directory
from bot.i18n import t
from bot.knowledge import KnowledgeBase
from bot.models import AskedQuestion, PersonId
from bot.oncall.calendar import local_instant
from bot.ports import DeliveryError, Notifier, PersonTarget
from bot.replies import Reply
from bot.reports import render
from bot.reports.figures import Figures, Filters
from bot.reports.periods import period_for, week_before
from bot.reports.service import Reports
from bot.storage.jobs import Job, NewJob
from bot.storage.store import Store
from bot.timers.worker import DONE, Done, GiveUp, Kind, RetryLater

SEND_AT = time(8, 0)  # Monday, local time of the region
OWNERS = "*"  # the job that writes to article owners


def next_monday_morning(after: datetime, zone: ZoneInfo) -> datetime:
    """The first Monday `SEND_AT` local time strictly after `after` (UTC)."""
    day = after.astimezone(zone).date()
    day -= timedelta(days=day.weekday())
    while (at := local_instant(day, SEND_AT, zone)) <= after:
        day += timedelta(days=7)
    return at


def _week_label(at: datetime, zone: ZoneInfo) -> str:
    year, week, _ = at.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def digest_job(region: str, *, after: datetime, zone: ZoneInfo) -> NewJob:
    due = next_monday_morning(after, zone)
    return NewJob(Kind.WEEKLY_DIGEST, due_at=due, payload={"region": region, "week": _week_label(due, zone)})


def zones(config: Config) -> dict[str, ZoneInfo]:
    """Each region's zone, and the owners' digest in the default (or first) region's zone."""
    out = {code: ZoneInfo(region.timezone) for code, region in config.regions.items()}
    first = config.default_region or next(iter(config.regions))
    out[OWNERS] = out[first]
    return out


async def schedule_digests(store: Store, config: Config, *, now: datetime) -> int:
    """Queue the next digest of every region that has none pending; returns how many were queued."""
    pending = {
        str(j.payload.get("region"))
        for j in await store.jobs(status="pending")
        if j.kind == Kind.WEEKLY_DIGEST
    }
    jobs = [
        digest_job(code, after=now, zone=zone) for code, zone in zones(config).items() if code not in pending
    ]
    await store.add_jobs(jobs, now=now)
    return len(jobs)


def _compare(label: str, now: str, before: str, lang: str) -> str:
    return t(lang, "digest.line", label=label, now=now, before=before)


def digest_reply(
    this: Figures, last: Figures, *, region: str, lang: str, zone: ZoneInfo, owners_only: bool = False
) -> Reply:
    a, b = this.total, last.total
    lines = []
    if not owners_only:
        pairs = (
            ("report.col.opened", render.number(a.opened, lang), render.number(b.opened, lang)),
            ("report.col.resolved", render.number(a.resolved, lang), render.number(b.resolved, lang)),
            (
                "report.col.claim_time",
                render.minutes(a.time_to_claim.p50, lang),
                render.minutes(b.time_to_claim.p50, lang),
            ),
            (
                "report.col.claim_target",
                render.targets(a.claim_target, lang),
                render.targets(b.claim_target, lang),
            ),
            (
                "report.col.reopen_rate",
                render.percent(a.reopen_rate, lang),
                render.percent(b.reopen_rate, lang),
            ),
            ("report.col.csat", render.percent(a.csat.rate, lang), render.percent(b.csat.rate, lang)),
        )
        lines += [_compare(t(lang, key), x, y, lang) for key, x, y in pairs]
    k, kb = this.knowledge, last.knowledge
    lines.append(
        _compare(
            t(lang, "report.kb.title"),
            render.number(k.unanswered, lang),
            render.number(kb.unanswered, lang),
            lang,
        )
    )
    lines += render.knowledge_lines(k, lang)[1:]
    start, end = render.dates(this, lang, zone)
    return Reply(
        title=t(lang, "digest.title", region=region, start=start, end=end),
        text="\n".join(lines),
    )


class WeeklyDigest:
    """The job handler of `weekly_digest` jobs (they have no case)."""

    def __init__(
        self,
        *,
        reports: Reports,
        knowledge: Callable[[], KnowledgeBase],
        config: Config,
        directory: Directory,
        store: Store,
        notifier: Notifier,
    ) -> None:
        self.reports = reports
        self.knowledge = knowledge
        self.config = config
        self.directory = directory
        self.store = store
        self.notifier = notifier

    async def __call__(self, job: Job, now: datetime) -> Done:
        region = str(job.payload.get("region", ""))
        all_zones = zones(self.config)
        if region not in all_zones:
            raise GiveUp(f"weekly digest for unknown region {region!r}")
        zone = all_zones[region]
        following = digest_job(region, after=max(now, job.due_at), zone=zone)
        key = f"digest:{region}:{job.payload.get('week', '')}"
        if await self.store.was_delivered(key):
            return Done(skipped=True)  # a duplicate: the run that sent it queued next week's
        period = period_for("week", now=now, zone=zone)
        filters = Filters(regions=frozenset({region})) if region != OWNERS else Filters()
        this = await self.reports.figures(period, filters=filters)
        last = await self.reports.figures(week_before(period), filters=filters)
        unhelpful = unhelpful_articles(await self.store.questions_between(period.start, period.end))
        for person in self._recipients(region, this):
            lang = self.directory.language(person)
            reply = digest_reply(
                this,
                last,
                region=region if region != OWNERS else "",
                lang=lang,
                zone=zone,
                owners_only=region == OWNERS,
            )
            reply = self._with_unhelpful(reply, unhelpful, person, lang)
            target = self._target(person)
            if target is None:
                continue
            try:
                await self.notifier.post(target, reply)
            except DeliveryError as error:
                if error.retryable:
                    raise RetryLater(str(error), after=error.retry_after) from error
                raise GiveUp(str(error)) from error
        await self.store.first_delivery(key, now=now)
        return Done(then=(following,)) if following else DONE

    def _recipients(self, region: str, figures: Figures) -> list[PersonId]:
        if region != OWNERS:
            return [PersonId(p) for p in self.config.regions[region].supervisors]
        people = self.directory.people
        owners = {a.owner for a in self.knowledge().articles() if a.owner}
        return sorted(PersonId(o) for o in owners if PersonId(o) in people)

    def _with_unhelpful(self, reply: Reply, unhelpful: list[str], person: PersonId, lang: str) -> Reply:
        """Add the articles nobody found helpful (an owner sees only their own)."""
        titles = []
        for article_id in unhelpful:
            versions = [a for a in self.knowledge().articles() if a.id == article_id]
            if not versions or (person not in self._supervisors() and versions[0].owner != person):
                continue
            titles.append(next((a.title for a in versions if a.lang == lang), versions[0].title))
        if not titles:
            return reply
        extra = "\n".join([t(lang, "digest.unhelpful_articles"), *(f"• {x}" for x in titles)])
        return Reply(title=reply.title, text=f"{reply.text}\n{extra}")

    def _supervisors(self) -> set[str]:
        return {p for region in self.config.regions.values() for p in region.supervisors}

    def _target(self, person: PersonId) -> PersonTarget | None:
        identities = self.directory.person(person).identities
        return PersonTarget(identities[0].platform, identities[0].user_id) if identities else None


def unhelpful_articles(questions: list[AskedQuestion]) -> list[str]:
    """Ids of articles that got feedback in the period, all of it "not helpful"."""
    votes = Counter(
        (q.article_id, bool(q.helpful)) for q in questions if q.article_id and q.helpful is not None
    )
    return sorted({a for a, helpful in votes if a and not helpful and votes[(a, True)] == 0})
