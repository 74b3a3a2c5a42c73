"""What each kind of job does: post and update case cards, ping the right people, remind, notify.

When a delivery fails for good (`after_failure`), the chain does not die with it: the claim chain's or
the reminders' next step is queued as planned, and an alert goes to the region's coordinators channel
(mentioning whoever the failed step was for, and the supervisors) and to each supervisor directly, in
the channel's and each person's language. An alert that fails itself is parked without further alerts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.cases import views
from bot.cases.csat import csat_question
from bot.cases.requests import requester_view
from bot.cases.sla import sla_of
from bot.config import Config
from bot.directory import Directory
from bot.i18n import t
from bot.knowledge.answers import Answers
from bot.models import Case, CaseStatus, MessageRef, PersonId
from bot.oncall.changes import rota_notice
from bot.oncall.roster import Roster
from bot.oncall.rota import Fallback
from bot.ports import ChannelTarget, DeliveryError, Notifier, PersonTarget, Target, ThreadTarget
from bot.replies import Action, Button, Mention, Reply
from bot.storage.jobs import Job, NewJob
from bot.storage.store import Store
from bot.timers import escalation
from bot.timers.digest import WeeklyDigest
from bot.timers.worker import DONE, SKIPPED, Done, Failure, GiveUp, Kind, RetryLater

LATE_AFTER = timedelta(minutes=1)
# Messages whose optional note is shown as small print under them rather than inside the text.
NOTE_AS_CONTEXT = frozenset(
    {"notify.escalated_up", "notify.reopened", "notify.cancelled", "notify.reopened_to_you"}
)
# What an alert calls the delivery that failed, by job kind.
FAILED_WHAT = {
    Kind.POST_CARD: "alert.what.post_card",
    Kind.CLAIM_STEP: "alert.what.claim_step",
    Kind.RESOLVE_REMINDER: "alert.what.resolve_reminder",
    Kind.UPDATE_CARD: "alert.what.update_card",
    Kind.NOTIFY: "alert.what.notify",
}


def _job_failure(error: DeliveryError) -> RetryLater | GiveUp:
    """A platform's delivery failure as the job machinery understands it: retry later, or give up."""
    if error.retryable:
        return RetryLater(str(error), after=error.retry_after, code=error.code)
    return GiveUp(str(error), code=error.code)


def card_marker(case: Case) -> str:
    """What a case card carries so that it can be found again in its channel."""
    return f"case-card:{case.id}"


class Deliveries:
    """The job handler of `JobWorker`: `await deliveries(job, now)`."""

    def __init__(
        self,
        *,
        config: Config,
        directory: Directory,
        roster: Roster,
        store: Store,
        notifier: Notifier,
        digest: WeeklyDigest | None = None,
        answers: Answers | None = None,
    ) -> None:
        """`answers` rebuilds an answer a question was escalated from (else it shows just the case)."""
        self.config = config
        self.answers = answers
        self.directory = directory
        self.roster = roster
        self.store = store
        self.notifier = notifier
        self._handlers = {
            Kind.POST_CARD: self._post_card,
            Kind.CLAIM_STEP: self._claim_step,
            Kind.RESOLVE_REMINDER: self._resolve_reminder,
            Kind.UPDATE_CARD: self._update_card,
            Kind.NOTIFY: self._notify,
            Kind.ALERT: self._alert,
            Kind.CSAT_QUESTION: self._csat_question,
            Kind.MARK_ESCALATED: self._mark_escalated,
        }
        self._caseless = {Kind.WEEKLY_DIGEST: digest} if digest is not None else {}

    async def __call__(self, job: Job, now: datetime) -> Done:
        if job.kind == Kind.ROTA_NOTICE:
            return await self._rota_notice(job)
        if job.case_id is None and job.kind in self._caseless:
            return await self._caseless[Kind(job.kind)](job, now)
        handler = self._handlers.get(Kind(job.kind)) if job.kind in Kind.__members__.values() else None
        if handler is None:
            raise GiveUp(f"unknown job kind {job.kind!r}", code="unknown_kind")
        case = await self.store.case(job.case_id) if job.case_id is not None else None
        if case is None:
            raise GiveUp(f"job {job.id}: case {job.case_id} does not exist", code="no_case")
        if job.fence is not None and job.fence != case.fence:
            return SKIPPED  # the case moved on (claimed, released, resolved) since this step was planned
        return await handler(job, case, now)

    async def _send(self, target: Target, reply: Reply) -> MessageRef:
        try:
            return await self.notifier.post(target, reply)
        except DeliveryError as error:
            raise _job_failure(error) from error

    async def _find(self, target: ChannelTarget, marker: str) -> MessageRef | None:
        try:
            return await self.notifier.find(target, marker)
        except DeliveryError as error:
            raise _job_failure(error) from error

    async def _update(self, ref: MessageRef, reply: Reply) -> None:
        try:
            await self.notifier.update(ref, reply)
        except DeliveryError as error:
            raise _job_failure(error) from error

    def _region_lang(self, case: Case) -> str:
        region = self.config.regions.get(case.region)
        return region.language if region else "en"

    def _channel(self, case: Case) -> str | None:
        region = self.config.regions.get(case.region)
        return getattr(region.channels, case.origin.value, None) if region else None

    def _late(self, job: Job, now: datetime, lang: str) -> tuple[str, ...]:
        late = now - job.due_at
        return (t(lang, "notify.late", minutes=int(late.total_seconds() // 60)),) if late > LATE_AFTER else ()

    async def _post_card(self, job: Job, case: Case, now: datetime) -> Done:
        if case.card is not None:
            return SKIPPED
        channel = self._channel(case)
        if not channel:
            raise GiveUp(
                f"region {case.region} has no {case.origin.value} coordinators channel configured",
                code="no_channel",
            )
        reply = self._card(case, now)
        target, marker = ChannelTarget(case.origin, channel), card_marker(case)
        # The lease that started this run is the recorded intent to post: a later start of the same job
        # (the process died, or shut down mid-post) first looks for a card an earlier start posted.
        found = await self._find(target, marker) if job.attempts > 1 else None
        ref = found or await self._send(target, replace(reply, marker=marker))
        await self.store.set_card(
            case.id,
            ref,
            jobs=self.roster.claim_chain(case, start=case.chain_started_at or case.created_at),
        )
        return Done(chained=True)

    async def _people(
        self, case: Case, targets: tuple[str, ...], now: datetime
    ) -> tuple[list[PersonId], Fallback]:
        region = self.config.regions[case.region]
        people: list[PersonId] = []
        fallback = Fallback.NONE
        for target in targets:
            if target == "on_duty":
                duty = await self.roster.on_duty(case.region, at=now)
                people += duty.people
                fallback = duty.fallback
            elif target == "backup":
                people += [PersonId(p) for p in region.backup]
            elif target == "supervisors":
                people += [PersonId(p) for p in region.supervisors]
            elif target == "assignee" and case.assignee:
                people.append(case.assignee)
        return list(dict.fromkeys(people)), fallback

    async def _claim_step(self, job: Job, case: Case, now: datetime) -> Done:
        if case.status is not CaseStatus.OPEN:
            return SKIPPED
        if case.card is None:
            raise RetryLater("the case card is not posted yet", after=5)
        step, following = self._claim_steps(job, case, now)
        if step is None:
            return SKIPPED
        people, fallback = await self._people(case, step.notify, now)
        lang = self._region_lang(case)
        key = "notify.new_case" if step.index == 0 else "notify.still_unclaimed"
        released_by = job.payload.get("released_by")
        if released_by:  # a released case: say who released it, and never ping them about it
            people = [p for p in people if p != released_by]
            for fallback_target in ("backup", "supervisors"):  # they were the only one on duty
                if not people:
                    found, _ = await self._people(case, (fallback_target,), now)
                    people = [p for p in found if p != released_by]
            key = "notify.back_in_queue" if step.index == 0 else key
        context = [t(lang, f"notify.fallback_{fallback.value}")] if fallback is not Fallback.NONE else []
        reply = Reply(
            text=t(
                lang,
                key,
                case=case.ref,
                priority=t(lang, f"priority.{case.priority.value}"),
                age=views.age(now - case.created_at, lang),
                name=self.directory.name(PersonId(released_by)) if released_by else "",
            ),
            mentions=self.directory.mentions(people),
            channel_alert="channel" in step.notify,
            context=(*context, *self._late(job, now, lang)),
        )
        await self._send(ThreadTarget(case.card), reply)
        return Done(then=following)

    def _claim_steps(
        self, job: Job, case: Case, now: datetime
    ) -> tuple[escalation.PlannedStep | None, tuple[NewJob, ...]]:
        """The claim-chain step this job runs now (None when the chain is over) and the job of the one after."""
        region = self.config.regions[case.region]
        start = datetime.fromisoformat(
            job.payload.get("start") or (case.chain_started_at or case.created_at).isoformat()
        )
        policy = self.config.escalation
        step = escalation.next_step(
            policy,
            priority=case.priority,
            region_code=case.region,
            region=region,
            start=start,
            done=job.step,
            now=now,
        )
        if step is None:
            return None, ()
        plan = escalation.plan_claim_chain(
            policy, priority=case.priority, region_code=case.region, region=region, start=start
        )
        if step.index + 1 >= len(plan):
            return step, ()
        following = plan[step.index + 1]
        return step, (
            NewJob(
                Kind.CLAIM_STEP,
                due_at=following.due_at,
                step=following.index,
                fenced=True,
                payload={**job.payload, "start": start.isoformat()},
            ),
        )

    async def _resolve_reminder(self, job: Job, case: Case, now: datetime) -> Done:
        if case.status is not CaseStatus.CLAIMED or case.assignee is None:
            return SKIPPED
        region = self.config.regions[case.region]
        claimed_at, plan = self._reminder_plan(job, case, now)
        if job.step >= len(plan):
            return SKIPPED
        step = plan[job.step]
        if "supervisors" in step.notify:
            lang = self._region_lang(case)
            if case.card is None:
                return SKIPPED
            reply = Reply(
                text=t(
                    lang,
                    "notify.resolve_overdue",
                    case=case.ref,
                    name=self.directory.name(case.assignee),
                    age=views.age(now - claimed_at, lang),
                ),
                mentions=self.directory.mentions(PersonId(p) for p in region.supervisors),
                context=self._late(job, now, lang),
            )
            await self._send(ThreadTarget(case.card), reply)
        else:
            person = self.directory.person(case.assignee)
            reply = Reply(
                text=t(
                    person.language,
                    "notify.still_on_it",
                    case=case.ref,
                    summary=case.summary,
                    age=views.age(now - claimed_at, person.language),
                ),
                context=self._late(job, now, person.language),
            )
            await self._send(self._direct(case, case.assignee), reply)
        return Done(then=self._next_reminder(job, plan))

    def _reminder_plan(
        self, job: Job, case: Case, now: datetime
    ) -> tuple[datetime, list[escalation.PlannedStep]]:
        claimed_at = datetime.fromisoformat(
            job.payload.get("claimed_at") or (case.claimed_at or now).isoformat()
        )
        plan = escalation.plan_resolve_reminders(
            self.config.escalation,
            claimed_at=claimed_at,
            resolve_target=self.config.targets[case.priority].resolve,
            region=self.config.regions[case.region],
        )
        return claimed_at, plan

    @staticmethod
    def _next_reminder(job: Job, plan: list[escalation.PlannedStep]) -> tuple[NewJob, ...]:
        if job.step + 1 >= len(plan):
            return ()
        following = plan[job.step + 1]
        return (
            NewJob(
                Kind.RESOLVE_REMINDER,
                due_at=following.due_at,
                step=following.index,
                fenced=True,
                payload=job.payload,
            ),
        )

    async def _update_card(self, job: Job, case: Case, now: datetime) -> Done:
        if case.card is None:
            return SKIPPED  # the card is posted later with the current state
        await self._update(case.card, self._card(case, now))
        return DONE

    async def _rota_notice(self, job: Job) -> Done:
        """A direct message about a rota change (no case): rendered now, in the reader's language and zone."""
        message = await rota_notice(
            job.payload, store=self.store, config=self.config, directory=self.directory
        )
        if message is None:
            raise GiveUp(f"rota notice {job.payload}: the change or the person's chat account is gone")
        await self._send(*message)
        return DONE

    def _direct(self, case: Case, person_id: PersonId) -> PersonTarget:
        person = self.directory.person(person_id)
        user = person.user_id(case.origin)
        if user is not None:
            return PersonTarget(case.origin, user)
        if person.identities:
            return PersonTarget(person.identities[0].platform, person.identities[0].user_id)
        raise GiveUp(f"{person_id} has no chat account to message", code="no_account")

    async def _notify(self, job: Job, case: Case, now: datetime) -> Done:
        to = str(job.payload.get("to", "thread"))
        key = str(job.payload["key"])
        params = dict(job.payload.get("params", {}))
        mentions: tuple[Mention, ...] = ()
        if to == "thread":
            if case.card is None:
                raise RetryLater("the case card is not posted yet", after=5)
            lang = self._region_lang(case)
            if job.payload.get("targets"):
                people, _ = await self._people(case, tuple(job.payload["targets"]), now)
                mentions = self.directory.mentions(people)
            target: Target = ThreadTarget(case.card)
        else:
            lang = self.directory.language(PersonId(to))
            target = self._direct(case, PersonId(to))
        note = params.get("note")
        text = t(lang, key, **params)
        context = (t(lang, "notify.note", note=note),) if note and "{note}" not in t("en", key) else ()
        view = job.payload.get("view")
        reply: Reply
        if view == "requester":
            reply = requester_view(
                case,
                config=self.config,
                directory=self.directory,
                lang=lang,
                now=now,
                text=text,
                context=context,
            )
        elif view == "assignee" and case.assignee == PersonId(to):
            reply = views.assignee_card(
                case,
                directory=self.directory,
                lang=lang,
                now=now,
                sla=sla_of(self.config, case),
                text=text,
            )
        else:
            buttons = tuple(
                Button(Action(a), t(lang, f"button.{Action(a).name.lower()}"), str(case.id))
                for a in job.payload.get("buttons", ())
                if a in Action.__members__.values()
            )
            reply = Reply(text=text, mentions=mentions, context=context, buttons=buttons)
        await self._send(target, reply)
        return DONE

    async def after_failure(self, job: Job, failure: Failure, now: datetime) -> tuple[NewJob, ...]:
        """What to queue when `job` failed for good: its chain's next step, and alerts about the failure.

        The alerts go to the region's coordinators channel (mentioning whoever the failed step was
        for, and the supervisors) and to each supervisor directly. Alerts about alerts are not sent.
        """
        if job.kind not in FAILED_WHAT or job.case_id is None:
            return ()
        case = await self.store.case(job.case_id)
        region = self.config.regions.get(case.region) if case else None
        if case is None or region is None:
            return ()
        next_steps: tuple[NewJob, ...] = ()
        targets: tuple[str, ...] = ()
        if job.kind == Kind.CLAIM_STEP and case.status is CaseStatus.OPEN:
            step, next_steps = self._claim_steps(job, case, now)
            targets = step.notify if step else ()
        elif job.kind == Kind.RESOLVE_REMINDER and case.status is CaseStatus.CLAIMED:
            next_steps = self._next_reminder(job, self._reminder_plan(job, case, now)[1])
            targets = (escalation.ASSIGNEE,)
        elif job.kind == Kind.NOTIFY:
            targets = tuple(job.payload.get("targets") or ())
        about = {"failed": job.kind, "reason": failure.code}
        alerts = [
            NewJob(Kind.ALERT, due_at=now, payload={**about, "to": str(p)})
            for p in region.supervisors
            if str(job.payload.get("to")) != p  # a direct message that failed would fail again
        ]
        if self._channel(case):
            channel_targets = [target for target in targets if target != "channel"]
            payload = {**about, "to": "channel", "targets": [*channel_targets, escalation.SUPERVISORS]}
            alerts.insert(0, NewJob(Kind.ALERT, due_at=now, payload=payload))
        return (*next_steps, *alerts)

    async def _alert(self, job: Job, case: Case, now: datetime) -> Done:
        to = str(job.payload.get("to", "channel"))
        mentions: tuple[Mention, ...] = ()
        if to == "channel":
            channel = self._channel(case)
            if not channel:
                raise GiveUp(f"region {case.region} has no {case.origin.value} channel", code="no_channel")
            lang = self._region_lang(case)
            people, _ = await self._people(case, tuple(job.payload.get("targets") or ()), now)
            mentions = self.directory.mentions(people)
            target: Target = ChannelTarget(case.origin, channel)
        else:
            lang = self.directory.language(PersonId(to))
            target = self._direct(case, PersonId(to))
        what = FAILED_WHAT.get(Kind(job.payload["failed"]), "alert.what.notify")
        text = t(
            lang,
            "alert.delivery_failed",
            what=t(lang, what),
            case=case.ref,
            summary=case.summary,
            reason=job.payload.get("reason", ""),
        )
        await self._send(target, Reply(text=text, mentions=mentions))
        return DONE

    async def _csat_question(self, job: Job, case: Case, now: datetime) -> Done:
        """Ask the requester whether the resolution helped; skipped if the case was reopened meanwhile."""
        if case.status is not CaseStatus.RESOLVED:
            return SKIPPED
        await self._send(self._direct(case, case.requester), csat_question(case, case.language))
        return DONE

    async def _mark_escalated(self, job: Job, case: Case, now: datetime) -> Done:
        """The answer whose "Escalate this" made the case: its button becomes the case's number and link."""
        if case.source is None:
            return SKIPPED
        if case.card is None:
            raise RetryLater("the case card is not posted yet", after=5)
        lang = self.directory.language(case.requester)
        question = int(job.payload["question"])
        if self.answers is not None:
            reply = await self.answers.escalated(question, case, lang=lang)
        else:
            link = views.thread_link(case, lang)
            reply = Reply(text=t(lang, "answer.escalated_as", case=case.ref), link=link)
        await self._update(case.source, reply)
        return DONE

    def _card(self, case: Case, now: datetime) -> Reply:
        """The case card in its region's language, with its SLA state at `now`."""
        return views.case_card(
            case,
            directory=self.directory,
            lang=self._region_lang(case),
            now=now,
            sla=sla_of(self.config, case),
        )
