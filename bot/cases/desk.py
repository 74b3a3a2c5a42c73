"""SupportDesk: every use case both platforms call. Rules live here and in rules.py; I/O in Store and Notifier."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum

from bot.cases import handoffs, requests, rules, sla, views
from bot.cases.csat import Satisfaction, csat_history_line
from bot.config import Config
from bot.directory import Directory
from bot.errors import AlreadyClaimed, CaseNotFound, IllegalTransition, InvalidInput
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
)
from bot.oncall.changes import RotaChanges
from bot.oncall.roster import Roster
from bot.replies import Form, Option, Reply
from bot.reports.service import Reports
from bot.storage.jobs import NewJob
from bot.storage.store import Store
from bot.timers.worker import Kind, notify_job


def utc_now() -> datetime:
    return datetime.now(UTC)


def question_key(question_id: int) -> str:
    """The client key of the one case an escalated question may make."""
    return f"question:{question_id}"


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
        self.rota = RotaChanges(store=store, config=config, directory=self.directory, clock=clock)
        self.answers = Answers(store=store, knowledge=knowledge, clock=clock)
        self.reports = Reports(store=store, config=config, directory=self.directory, clock=clock)
        self.csat = Satisfaction(store=store, directory=self.directory, clock=clock)
        self.clock = clock
        self._wake = wake

    def set_wake(self, wake: Callable[[], None]) -> None:
        """Called after jobs are queued so the worker runs them now rather than at its next poll."""
        self._wake = wake

    # --- who and where ----------------------------------------------------------------------------

    def actor(
        self,
        identity: Identity,
        *,
        name: str | None = None,
        locale: str | None = None,
        timezone: str | None = None,
    ) -> Actor:
        """The person behind a platform account (strangers are reps), in their language and time zone
        (`timezone`, as the platform reports it, counts when the configuration sets none)."""
        return self.directory.actor(identity, name=name, locale=locale, timezone=timezone)

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

    async def answer_swap(self, actor: Actor, swap: int, *, accept: bool) -> Reply:
        """Accept or decline a swap asked of `actor` (see RotaChanges.decide): the request as it now reads."""
        return await self.rota.decide(actor, swap, accept=accept)

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
        return self.card_of(case, lang=lang or region_lang)

    def card_of(self, case: Case, *, lang: str) -> Reply:
        """The case card with its SLA state, in `lang`."""
        now = self.clock()
        return views.case_card(
            case, directory=self.directory, lang=lang, now=now, sla=sla.sla_of(self.config, case)
        )

    def view_for(self, actor: Actor, case: Case) -> Reply:
        """The case as this person sees it: the card for those who work cases, the requester's view otherwise."""
        if actor.role.can_claim:
            return self.card_of(case, lang=actor.language)
        return requests.requester_view(
            case, config=self.config, directory=self.directory, lang=actor.language, now=self.clock()
        )

    async def details(self, actor: Actor, case_id: CaseId) -> Reply:
        """The case with its recent history, times in the actor's zone (named if the region's differs)."""
        case = await self.case(case_id)
        events = await self.store.events_of(case_id)
        region = self.config.regions.get(case.region)
        reply = views.case_details(
            case,
            events,
            directory=self.directory,
            lang=actor.language,
            now=self.clock(),
            zone=actor.person.timezone,
            place=region.timezone if region else None,
        )
        answer = await self.store.csat_of(case_id)
        if answer is None:
            return reply
        return replace(reply, context=(*reply.context, csat_history_line(answer, actor.language)))

    async def queue(self, actor: Actor) -> Reply:
        return await requests.queue(self, actor)

    async def feedback(self, actor: Actor, question_id: int, *, helpful: bool) -> Reply:
        """Record whether an answer helped (see Answers.feedback)."""
        return await self.answers.feedback(actor, question_id, helpful=helpful)

    def article(self, actor: Actor, value: str) -> Reply:
        """The whole article behind a short answer's "Read more" button."""
        return self.answers.article(actor, value)

    async def pick(self, actor: Actor, value: str) -> Reply:
        """A "Did you mean" suggestion the asker chose: it becomes the answer (see Answers.pick)."""
        return await self.answers.pick(actor, value)

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
        question: int | None = None,
    ) -> Escalated:
        """Open a case from a submitted form, once per `client_key` (a retried submission returns the same case).

        `context` is the form's round-tripped context: a `question` id there (a form opened from an
        answer) links the question to the new case, for the reports. From a question (`question` id), at
        most one case per question, whoever submits it how often; `source` is then the bot's answer, which
        gets the case's number and link instead of its button.

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
        jobs = [NewJob(Kind.POST_CARD, due_at=now), *sla.claim_refresh(self.config, new, start=now)]
        if question is not None:
            client_key = question_key(question)
            if source is not None:
                jobs.append(NewJob(Kind.MARK_ESCALATED, due_at=now, payload={"question": question}))
        case, created = await self.store.create_case(
            new,
            client_key=client_key,
            requester=actor.id,
            origin=actor.identity.platform,
            now=now,
            source=source,
            jobs=jobs,
        )

        if created:
            self._wake()
            from_form = (context or {}).get("question", "")
            linked = question if question is not None else int(from_form) if from_form.isdigit() else None
            if linked is not None:
                await self.store.link_question(linked, case.id)
        reply = Reply(
            text=t(actor.language, "escalate.confirmed", case=case.ref, region=case.region),
            fields=views.case_card(case, directory=self.directory, lang=actor.language, now=now).fields[:2],
        )
        return Escalated(case, created, reply)

    # --- working a case ----------------------------------------------------------------------------

    async def change_case(
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
                *requests.requester_notice(
                    case, actor, "notify.requester_claimed", now=now, name=actor.person.name
                ),
                *self.roster.resolve_reminders(case, claimed_at=now),
                *sla.refresh_at_target(self.config, case),
            ]

        return await self.change_case(
            actor,
            case_id,
            kind=EventKind.CLAIMED,
            expect={"status": CaseStatus.OPEN.value, "assignee": None, "claimed_at": None},
            values={"status": CaseStatus.CLAIMED.value, "assignee": actor.id, "claimed_at": now},
            jobs=jobs,
        )

    async def release(self, actor: Actor, case_id: CaseId) -> Case:
        """Back to the queue: the claim chain restarts from now and pings again, saying who released it and
        never pinging them."""
        case = await self.case(case_id)
        rules.require_status(case, "release", CaseStatus.CLAIMED)
        rules.require_owner(actor, case, "release")
        now = self.clock()
        chain = [
            replace(job, payload={**job.payload, "released_by": actor.id})
            for job in self.roster.claim_chain(case, start=now)
        ]
        told = [] if chain else [notify_job("thread", "notify.released", now=now, name=actor.person.name)]

        def jobs(changed: Case) -> list[NewJob]:
            return [
                *told,
                *chain,
                *requests.requester_notice(
                    changed, actor, "notify.requester_released", now=now, name=actor.person.name
                ),
                *sla.refresh_at_target(self.config, changed),
            ]

        return await self.change_case(
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
            jobs=jobs,
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
        return await self.change_case(
            actor,
            case,
            kind=EventKind.RESOLVED,
            note=note,
            expect={"status": CaseStatus.CLAIMED.value, "assignee": case.assignee},
            values={"status": CaseStatus.RESOLVED.value, "resolved_at": now, "resolution": note},
            jobs=[
                notify_job("thread", "notify.resolved", now=now, name=actor.person.name, note=note),
                *requests.requester_notice(case, actor, "notify.requester_resolved", now=now, note=note),
                NewJob(Kind.CSAT_QUESTION, due_at=now),
            ],
        )

    async def reassign(self, actor: Actor, case_id: CaseId, *, to: PersonId) -> Case:
        return await handoffs.reassign(self, actor, case_id, to=to)

    async def accept(self, actor: Actor, case_id: CaseId) -> Case:
        return await handoffs.accept(self, actor, case_id)

    async def take_back(self, actor: Actor, case_id: CaseId) -> Case:
        return await handoffs.take_back(self, actor, case_id)

    async def escalate_up(self, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
        return await handoffs.escalate_up(self, actor, case_id, note=note)

    async def reopen(self, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
        return await requests.reopen(self, actor, case_id, note=note)

    async def cancel(self, actor: Actor, case_id: CaseId, *, note: str = "") -> Case:
        return await requests.cancel(self, actor, case_id, note=note)

    async def add_note(self, actor: Actor, case_id: CaseId, *, note: str) -> None:
        await requests.add_note(self, actor, case_id, note=note)

    # --- forms for case actions --------------------------------------------------------------------

    async def case_form(self, actor: Actor, case_id: CaseId, form: str) -> Form:
        case = await self.case(case_id)
        if form == "resolve":
            rules.require_owner(actor, case, "resolve")
            return views.resolve_form(case, actor.language)
        if form == "reassign":
            rules.require_owner(actor, case, "reassign")
            candidates = [Option(p.id, p.name) for p in handoffs.eligible(self, case)]
            return views.reassign_form(case, actor.language, candidates=candidates)
        if form == "escalate_up":
            rules.require_owner(actor, case, "escalate_up")
            return views.escalate_up_form(case, actor.language)
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

    async def escalated_question(self, question_id: int) -> Case | None:
        """The case an "Escalate this" of this question already made, if any."""
        return await self.store.case_by_client_key(question_key(question_id))

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
