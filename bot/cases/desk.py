"""SupportDesk: every use case both platforms call. Rules live here and in rules.py; I/O in Store and Notifier."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum

from bot.cases import rules, views
from bot.cases.csat import Satisfaction, csat_history_line
from bot.config import Config
from bot.directory import Directory
from bot.errors import AlreadyClaimed, CaseNotFound, IllegalTransition, InvalidInput, NotAllowed
from bot.i18n import t
from bot.knowledge import KnowledgeBase
from bot.knowledge.answers import Answers
from bot.models import (
    Actor,
    Case,
    CaseEvent,
    CaseId,
    CaseStatus,
    CsatScore,
    EventKind,
    Identity,
    MessageRef,
    PersonId,
    Platform,
    Queue,
)
from bot.oncall.roster import Roster
from bot.replies import Form, Option, Reply
from bot.reports.service import Reports
from bot.storage.jobs import NewJob
from bot.storage.store import Store
from bot.timers.worker import Kind, notify_job


def utc_now() -> datetime:
    return datetime.now(UTC)


def _plain(value: object) -> object:
    """An event value as stored: enums by value, the rest as they are."""
    return value.value if isinstance(value, Enum) else value


@dataclass(frozen=True, slots=True)
class Escalated:
    """The outcome of an escalation: the case, and whether this request created it (False on a retry)."""

    case: Case
    created: bool
    reply: Reply


class SupportDesk:
    """The support desk. `clock` is the only source of the current time; tests pass a fixed one."""

    def __init__(
        self,
        *,
        store: Store,
        config: Config,
        knowledge: Callable[[], KnowledgeBase],
        clock: Callable[[], datetime] = utc_now,
        wake: Callable[[], None] = lambda: None,
        directory: Directory | None = None,
        roster: Roster | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.directory = directory or Directory(config)
        self.roster = roster or Roster(store=store, config=config, directory=self.directory)
        self.answers = Answers(store=store, knowledge=knowledge, clock=clock)
        self.reports = Reports(store=store, config=config, directory=self.directory, clock=clock)
        self.csat = Satisfaction(store=store, directory=self.directory, clock=clock)
        self.clock = clock
        self._wake = wake

    def set_wake(self, wake: Callable[[], None]) -> None:
        """Called after jobs are queued so the worker runs them now rather than at its next poll."""
        self._wake = wake

    # --- who and where ----------------------------------------------------------------------------

    def actor(self, identity: Identity, *, name: str | None = None, locale: str | None = None) -> Actor:
        """The person behind a platform account (strangers are reps), in their language."""
        return self.directory.actor(identity, name=name, locale=locale)

    @property
    def regions(self) -> tuple[str, ...]:
        """Region codes, in configuration order."""
        return tuple(self.config.regions)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.config.categories)

    async def first_delivery(self, key: str) -> bool:
        """True the first time a platform delivers `key` (its own event or activity id); False on a retry."""
        return await self.store.first_delivery(key, now=self.clock())

    async def case_by_card(self, platform: Platform, key: str) -> Case | None:
        """The case whose card (or card thread) the platform's message `key` is, if any."""
        return await self.store.case_by_card(platform, key)

    async def remember_thread(self, platform: Platform, key: str) -> None:
        """Note a thread the bot answered in, so follow-ups there are taken as questions."""
        await self.store.save_conversation(key, platform=platform, data="{}", now=self.clock())

    async def is_remembered_thread(self, key: str) -> bool:
        return await self.store.conversation(key) is not None

    # --- reading --------------------------------------------------------------------------------

    async def case(self, case_id: CaseId) -> Case:
        case = await self.store.case(case_id)
        if case is None:
            raise CaseNotFound(f"CS-{case_id}")
        return case

    async def card(self, case_id: CaseId, *, lang: str | None = None) -> Reply:
        case = await self.case(case_id)
        region_lang = (
            self.config.regions[case.region].language if case.region in self.config.regions else "en"
        )
        return views.case_card(case, directory=self.directory, lang=lang or region_lang, now=self.clock())

    async def details(self, actor: Actor, case_id: CaseId) -> Reply:
        case = await self.case(case_id)
        events = await self.store.events_of(case_id)
        reply = views.case_details(
            case, events, directory=self.directory, lang=actor.language, now=self.clock()
        )
        answer = await self.store.csat_of(case_id)
        if answer is None:
            return reply
        return replace(reply, context=(*reply.context, csat_history_line(answer, actor.language)))

    async def queue(self, actor: Actor) -> Reply:
        """The actor's queue: their claimed cases, unclaimed ones in their regions, and those past target."""
        now = self.clock()
        regions = actor.person.regions or tuple(self.config.regions)
        mine = await self.store.cases_assigned_to(actor.id)
        active = await self.store.active_cases(regions)
        unclaimed = [c for c in active if c.status is CaseStatus.OPEN]
        breaching = [c for c in active if self.roster.is_breaching(c, now=now)]
        duty = [await self.roster.on_duty(code, at=now) for code in regions if code in self.config.regions]
        lines = [self.roster.describe(d, actor.language) for d in duty] if actor.role.can_claim else []
        queue = Queue(tuple(mine), tuple(unclaimed), tuple(breaching))
        return views.queue_reply(queue, directory=self.directory, lang=actor.language, now=now, on_duty=lines)

    async def feedback(self, actor: Actor, question_id: int, *, helpful: bool) -> Reply:
        """Record whether an answer helped (see Answers.feedback)."""
        return await self.answers.feedback(actor, question_id, helpful=helpful)

    def article(self, actor: Actor, value: str) -> Reply:
        """The whole article behind a short answer's "Read more" button."""
        return self.answers.article(actor, value)

    # --- escalating -------------------------------------------------------------------------------

    def escalation_form(
        self, actor: Actor, *, summary: str = "", details: str = "", context: Mapping[str, str] | None = None
    ) -> Form:
        region = self.directory.home_region(actor.id)
        return views.escalate_form(
            actor.language,
            config=self.config,
            region=region,
            summary=summary,
            details=details,
            context=dict(context or {}),
        )

    async def escalate(
        self,
        actor: Actor,
        values: Mapping[str, str],
        *,
        client_key: str,
        source: MessageRef | None = None,
        context: Mapping[str, str] | None = None,
    ) -> Escalated:
        """Open a case from a submitted form, once per `client_key` (a retried submission returns the same case).

        `context` is the form's round-tripped context: a `question` id there (a form opened from an
        answer) links the question to the new case, for the reports.

        Queues the card post to the region's coordinators channel; the card's post queues the claim chain.
        Raises InvalidInput naming the field to fix.
        """
        new = rules.validate_new_case(
            dict(values),
            regions=set(self.config.regions),
            categories=set(self.config.categories),
            lang=actor.language,
        )
        now = self.clock()
        case, created = await self.store.create_case(
            new,
            client_key=client_key,
            requester=actor.id,
            origin=actor.identity.platform,
            now=now,
            source=source,
            jobs=[NewJob(Kind.POST_CARD, due_at=now)],
        )
        if created:
            self._wake()
            question = (context or {}).get("question", "")
            if question.isdigit():
                await self.store.link_question(int(question), case.id)
        reply = Reply(
            text=t(actor.language, "escalate.confirmed", case=case.ref, region=case.region),
            fields=views.case_card(case, directory=self.directory, lang=actor.language, now=now).fields[:2],
        )
        return Escalated(case, created, reply)

    # --- working a case ----------------------------------------------------------------------------

    async def _change(
        self,
        actor: Actor,
        case: Case | CaseId,
        *,
        kind: EventKind,
        expect: dict[str, object],
        values: dict[str, object],
        note: str = "",
        bump_fence: bool = True,
        jobs: list[NewJob] | Callable[[Case], list[NewJob]] | None = None,
    ) -> Case:
        """One conditional write of `values` where the case still matches `expect`, with its event and jobs.

        `case` is the case as read for the permission checks (its values become the event's "before"),
        or just its id when nothing needed reading: then "before" is what `expect` guaranteed.
        """
        now = self.clock()
        case_id = case.id if isinstance(case, Case) else case
        before = {k: _plain(getattr(case, k)) for k in values} if isinstance(case, Case) else dict(expect)
        event = CaseEvent(case_id, kind, actor.id, now, before=before, after=dict(values), note=note)

        def all_jobs(changed: Case) -> list[NewJob]:
            planned = jobs(changed) if callable(jobs) else (jobs or [])
            return [NewJob(Kind.UPDATE_CARD, due_at=now), *planned]

        changed = await self.store.change_case(
            case_id, expect=expect, values=values, event=event, bump_fence=bump_fence, jobs=all_jobs
        )
        if changed is None:
            latest = await self.case(case_id)
            if latest.status is CaseStatus.CLAIMED and kind is EventKind.CLAIMED:
                raise AlreadyClaimed(
                    latest.ref, by=latest.assignee or "", by_name=self.directory.name(latest.assignee)
                )
            raise IllegalTransition(kind.value, latest.status.value)
        self._wake()
        return changed

    async def claim(self, actor: Actor, case_id: CaseId) -> Case:
        """Race-safe claim: one conditional write, no read before it; exactly one concurrent claimer wins,
        every other one gets AlreadyClaimed naming the winner."""
        rules.require_claimer(actor)
        now = self.clock()

        def jobs(case: Case) -> list[NewJob]:
            return [
                notify_job("thread", "notify.claimed", now=now, name=actor.person.name),
                notify_job(
                    case.requester, "notify.requester_claimed", now=now, case=case.ref, name=actor.person.name
                ),
                *self.roster.resolve_reminders(case, claimed_at=now),
            ]

        return await self._change(
            actor,
            case_id,
            kind=EventKind.CLAIMED,
            expect={"status": CaseStatus.OPEN.value, "assignee": None, "claimed_at": None},
            values={"status": CaseStatus.CLAIMED.value, "assignee": actor.id, "claimed_at": now},
            jobs=jobs,
        )

    async def release(self, actor: Actor, case_id: CaseId) -> Case:
        """Back to the queue: the claim chain restarts from now and pings again."""
        case = await self.case(case_id)
        rules.require_status(case, "release", CaseStatus.CLAIMED)
        rules.require_owner(actor, case, "release")
        now = self.clock()
        return await self._change(
            actor,
            case,
            kind=EventKind.RELEASED,
            expect={"status": CaseStatus.CLAIMED.value, "assignee": case.assignee},
            values={
                "status": CaseStatus.OPEN.value,
                "assignee": None,
                "claimed_at": None,
                "chain_started_at": now,
            },
            jobs=[
                notify_job("thread", "notify.released", now=now, name=actor.person.name),
                *self.roster.claim_chain(case, start=now),
            ],
        )

    async def resolve(self, actor: Actor, case_id: CaseId, *, note: str) -> Case:
        """Close the case with a resolution note (required); the requester is told."""
        note = note.strip()
        if not note:
            raise InvalidInput("note", "invalid.note_required")
        case = await self.case(case_id)
        rules.require_status(case, "resolve", CaseStatus.CLAIMED)
        rules.require_owner(actor, case, "resolve")
        now = self.clock()
        return await self._change(
            actor,
            case,
            kind=EventKind.RESOLVED,
            note=note,
            expect={"status": CaseStatus.CLAIMED.value, "assignee": case.assignee},
            values={"status": CaseStatus.RESOLVED.value, "resolved_at": now, "resolution": note},
            jobs=[
                notify_job("thread", "notify.resolved", now=now, name=actor.person.name, note=note),
                notify_job(case.requester, "notify.requester_resolved", now=now, case=case.ref, note=note),
                NewJob(Kind.CSAT_QUESTION, due_at=now),
            ],
        )

    async def reassign(self, actor: Actor, case_id: CaseId, *, to: PersonId) -> Case:
        case = await self.case(case_id)
        rules.require_status(case, "reassign", CaseStatus.CLAIMED)
        rules.require_owner(actor, case, "reassign")
        target = self.directory.person(to)
        if not target.role.can_claim:
            raise InvalidInput("assignee", "invalid.not_coordinator", name=target.name)
        if to == case.assignee:
            raise InvalidInput("assignee", "invalid.same_assignee", name=target.name)
        now = self.clock()
        return await self._change(
            actor,
            case,
            kind=EventKind.REASSIGNED,
            expect={"status": CaseStatus.CLAIMED.value, "assignee": case.assignee},
            values={"assignee": to, "claimed_at": now},
            jobs=[
                notify_job("thread", "notify.reassigned", now=now, name=actor.person.name, to=target.name),
                notify_job(to, "notify.assigned_to_you", now=now, case=case.ref, name=actor.person.name),
                *self.roster.resolve_reminders(case, claimed_at=now),
            ],
        )

    async def escalate_up(self, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
        """Move the case to the supervisor tier: the region's supervisors are pinged in the thread."""
        case = await self.case(case_id)
        rules.require_status(case, "escalate_up", CaseStatus.OPEN, CaseStatus.CLAIMED)
        if case.status is CaseStatus.CLAIMED:
            rules.require_owner(actor, case, "escalate_up")
        elif not actor.role.can_claim and actor.id != case.requester:
            raise NotAllowed("escalate_up", reason="role")
        if case.supervisor_tier:
            raise IllegalTransition("escalate_up", "supervisor_tier")
        now = self.clock()
        return await self._change(
            actor,
            case,
            kind=EventKind.ESCALATED_UP,
            note=note,
            bump_fence=False,
            expect={"status": (case.status.value,), "supervisor_tier": False},
            values={"supervisor_tier": True},
            jobs=[
                notify_job(
                    "thread",
                    "notify.escalated_up",
                    now=now,
                    name=actor.person.name,
                    note=note,
                    targets=["supervisors"],
                )
            ],
        )

    async def reopen(self, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
        """The requester reopens within the window; it goes back to its last assignee, who is told."""
        case = await self.case(case_id)
        rules.require_reopener(actor, case, now=self.clock(), window=self.config.reopen_window)
        now = self.clock()
        jobs = [notify_job("thread", "notify.reopened", now=now, name=actor.person.name, note=note)]
        if case.assignee:
            jobs.append(
                notify_job(case.assignee, "notify.reopened_to_you", now=now, case=case.ref, note=note)
            )
        return await self._change(
            actor,
            case,
            kind=EventKind.REOPENED,
            note=note,
            expect={"status": CaseStatus.RESOLVED.value},
            values={
                "status": CaseStatus.CLAIMED.value,
                "resolved_at": None,
                "resolution": None,
                "claimed_at": now,
            },
            jobs=jobs + self.roster.resolve_reminders(case, claimed_at=now),
        )

    async def cancel(self, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
        case = await self.case(case_id)
        rules.require_status(case, "cancel", CaseStatus.OPEN, CaseStatus.CLAIMED)
        if actor.id != case.requester and not actor.role.is_supervisor:
            raise NotAllowed("cancel", reason="not_requester")
        now = self.clock()
        return await self._change(
            actor,
            case,
            kind=EventKind.CANCELLED,
            note=note,
            expect={"status": (CaseStatus.OPEN.value, CaseStatus.CLAIMED.value)},
            values={"status": CaseStatus.CANCELLED.value, "resolved_at": now},
            jobs=[notify_job("thread", "notify.cancelled", now=now, name=actor.person.name, note=note)],
        )

    async def add_note(self, actor: Actor, case_id: CaseId, *, note: str) -> None:
        note = note.strip()
        if not note:
            raise InvalidInput("note", "invalid.note_required")
        case = await self.case(case_id)
        rules.require_participant(actor, case)
        now = self.clock()
        jobs = []
        if actor.id == case.requester and case.assignee:
            jobs.append(notify_job(case.assignee, "notify.requester_note", now=now, case=case.ref, note=note))
        await self.store.add_event(CaseEvent(case.id, EventKind.NOTE, actor.id, now, note=note), jobs=jobs)
        if jobs:
            self._wake()

    # --- forms for case actions --------------------------------------------------------------------

    async def case_form(self, actor: Actor, case_id: CaseId, form: str) -> Form:
        case = await self.case(case_id)
        if form == "resolve":
            rules.require_owner(actor, case, "resolve")
            return views.resolve_form(case, actor.language)
        if form == "reassign":
            rules.require_owner(actor, case, "reassign")
            candidates = [
                Option(p.id, p.name)
                for p in self.directory.people.values()
                if p.role.can_claim and p.id != case.assignee
            ]
            return views.reassign_form(case, actor.language, candidates=candidates)
        rules.require_participant(actor, case)
        return views.note_form(case, actor.language)

    # --- questions --------------------------------------------------------------------------------

    async def ask(self, actor: Actor, text: str) -> Reply:
        return await self.answers.ask(actor, text)

    async def question_escalation_form(self, actor: Actor, question_id: int) -> Form:
        summary, details = await self.answers.escalation_prefill(actor, question_id)
        return self.escalation_form(
            actor, summary=summary, details=details, context={"question": str(question_id)}
        )

    # --- reports and CSAT ------------------------------------------------------------------------

    async def report(self, actor: Actor, text: str) -> Reply:
        """`/report [7d|30d|week|month] [region] [csv]`: the summary card with its charts (or the CSV)."""
        return await self.reports.report(actor, text)

    async def supervisor_home(self, actor: Actor) -> Reply | None:
        return await self.reports.home(actor)

    async def answer_csat(self, actor: Actor, case_id: CaseId, score: CsatScore) -> Reply:
        return await self.csat.answer(actor, case_id, score)

    async def csat_form(self, actor: Actor, case_id: CaseId) -> Form:
        return await self.csat.comment_form(actor, case_id)

    async def submit_csat(self, actor: Actor, case_id: CaseId, values: Mapping[str, str]) -> Reply:
        return await self.csat.submit_comment(actor, case_id, dict(values))
