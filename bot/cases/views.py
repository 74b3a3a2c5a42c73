"""Replies and forms the desk shows, built from models in the reader's language. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Config
from bot.directory import Directory
from bot.i18n import t
from bot.i18n.times import Reader, when
from bot.models import Case, CaseEvent, CaseStatus, EventKind, PersonId, Priority, Queue
from bot.replies import Action, Button, Field, Form, FormId, Input, InputKind, Option, Reply, Style

PRIORITY_ACCENT = {
    Priority.LOW: "#8a8a8a",
    Priority.NORMAL: "#2f6fde",
    Priority.HIGH: "#e8912d",
    Priority.URGENT: "#d92d20",
}


def age(delta: timedelta, lang: str) -> str:
    """A short human age: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return t(lang, "age.seconds", n=seconds)
    minutes = seconds // 60
    if minutes < 60:
        return t(lang, "age.minutes", n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return t(lang, "age.hours", h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return t(lang, "age.days", d=days, h=hours)


def case_title(case: Case) -> str:
    return f"{case.ref} · {case.summary}"


@dataclass(frozen=True, slots=True)
class Sla:
    """The target an active case is measured against now: `claim` while unclaimed, `resolve` once claimed."""

    kind: str
    due: datetime


def sla_line(sla: Sla, *, now: datetime, lang: str) -> str:
    """`claim target: 6 min left` or `claim target missed 4 min ago`."""
    if now < sla.due:
        return t(lang, f"case.sla.{sla.kind}_left", left=age(sla.due - now, lang))
    return t(lang, f"case.sla.{sla.kind}_missed", late=age(now - sla.due, lang))


def thread_link(case: Case, lang: str) -> tuple[str, str] | None:
    """(label, url) of the case's thread, when the platform gave the card a link."""
    return (
        (t(lang, "case.open_thread", case=case.ref), case.card.link) if case.card and case.card.link else None
    )


def case_card(case: Case, *, directory: Directory, lang: str, now: datetime, sla: Sla | None = None) -> Reply:
    """The one card of a case in the coordinators' channel, updated in place as the case moves.

    `sla` adds the case's SLA state (time left, or how long ago its target was missed)."""
    fields = [
        Field(t(lang, "case.field.priority"), t(lang, f"priority.{case.priority.value}")),
        Field(t(lang, "case.field.region"), case.region),
        Field(t(lang, "case.field.requester"), directory.name(case.requester)),
        Field(t(lang, "case.field.age"), age(now - case.created_at, lang)),
        Field(t(lang, "case.field.status"), status_line(case, directory=directory, lang=lang)),
        Field(t(lang, "case.field.category"), t(lang, f"category.{case.category}", default=case.category)),
    ]
    if case.customer_ref:
        fields.append(Field(t(lang, "case.field.customer"), case.customer_ref))
    if sla is not None and case.status in (CaseStatus.OPEN, CaseStatus.CLAIMED):
        fields.append(Field(t(lang, "case.field.sla"), sla_line(sla, now=now, lang=lang)))
    value = str(case.id)
    details = Button(Action.DETAILS, t(lang, "button.details"), value)
    buttons: tuple[Button, ...]
    if case.status is CaseStatus.OPEN:
        buttons = (Button(Action.CLAIM, t(lang, "button.claim"), value, Style.PRIMARY), details)
    elif case.status is CaseStatus.CLAIMED:
        up = (
            ()
            if case.supervisor_tier
            else (Button(Action.ESCALATE_UP, t(lang, "button.escalate_up"), value, Style.DANGER),)
        )
        buttons = (
            Button(Action.RESOLVE, t(lang, "button.resolve"), value, Style.PRIMARY),
            Button(Action.RELEASE, t(lang, "button.release"), value),
            Button(Action.REASSIGN, t(lang, "button.reassign"), value),
            *up,
            details,
        )
    else:
        buttons = (Button(Action.REOPEN, t(lang, "button.reopen"), value), details)
    context = [case.details] if case.details else []
    if case.resolution:
        context.append(t(lang, "case.resolution", note=case.resolution))
    return Reply(
        title=case_title(case),
        fields=tuple(fields),
        context=tuple(context),
        buttons=buttons,
        accent=PRIORITY_ACCENT[case.priority],
    )


def status_line(case: Case, *, directory: Directory, lang: str) -> str:
    if case.status is CaseStatus.CLAIMED:
        key = "case.status.claimed_up" if case.supervisor_tier else "case.status.claimed"
        return t(lang, key, name=directory.name(case.assignee))
    if case.status is CaseStatus.RESOLVED:
        return t(lang, "case.status.resolved", name=directory.name(case.assignee))
    return t(lang, f"case.status.{case.status.value}")


def event_what(event: CaseEvent, *, directory: Directory, lang: str) -> str:
    """What an event did, in words; a reassignment says to whom (its `after["assignee"]`)."""
    to = event.after.get("assignee") if event.kind is EventKind.REASSIGNED else None
    if to:
        return t(lang, "event.reassigned_to", name=directory.name(PersonId(str(to))))
    return t(lang, f"event.{event.kind.value}")


def case_details(
    case: Case,
    events: Sequence[CaseEvent],
    *,
    directory: Directory,
    lang: str,
    now: datetime,
    zone: str = "UTC",
    place: str | None = None,
) -> Reply:
    """The card's fields and the last ten events, each at the reader's local time (`zone`); the zone is
    named when the case's region (`place`) keeps other clocks."""
    card = case_card(case, directory=directory, lang=lang, now=now)
    reader = Reader(lang, zone)
    history = tuple(
        t(
            lang,
            "case.history_line",
            at=when(e.at, reader, place=place, weekday=False),
            who=directory.name(e.actor),
            what=event_what(e, directory=directory, lang=lang),
            note=f": {e.note}" if e.note else "",
        )
        for e in events[-10:]
    )
    return Reply(title=card.title, text=case.details, fields=card.fields, context=history, ephemeral=True)


def escalate_form(
    lang: str,
    *,
    config: Config,
    region: str,
    summary: str = "",
    details: str = "",
    context: dict[str, str] | None = None,
) -> Form:
    priorities = tuple(Option(p.value, t(lang, f"priority.{p.value}")) for p in Priority)
    categories = tuple(Option(c, t(lang, f"category.{c}", default=c)) for c in config.categories)
    regions = tuple(Option(code, f"{code} · {r.name}") for code, r in config.regions.items())
    return Form(
        id=FormId.ESCALATE,
        title=t(lang, "form.escalate.title"),
        submit=t(lang, "form.escalate.submit"),
        cancel=t(lang, "form.cancel"),
        intro=t(lang, "form.escalate.intro"),
        inputs=(
            Input("summary", t(lang, "form.field.summary"), initial=summary[:150], max_length=150),
            Input(
                "details",
                t(lang, "form.field.details"),
                InputKind.MULTILINE,
                required=False,
                initial=details[:3000],
            ),
            Input(
                "customer_ref",
                t(lang, "form.field.customer_ref"),
                required=False,
                max_length=100,
                placeholder=t(lang, "form.field.customer_ref.placeholder"),
            ),
            Input(
                "priority",
                t(lang, "form.field.priority"),
                InputKind.SELECT,
                initial=Priority.NORMAL.value,
                options=priorities,
            ),
            Input(
                "category",
                t(lang, "form.field.category"),
                InputKind.SELECT,
                initial=config.categories[-1],
                options=categories,
            ),
            Input("region", t(lang, "form.field.region"), InputKind.SELECT, initial=region, options=regions),
        ),
        context=dict(context or {}),
    )


def resolve_form(case: Case, lang: str) -> Form:
    return Form(
        id=FormId.RESOLVE,
        title=t(lang, "form.resolve.title"),
        submit=t(lang, "form.resolve.submit"),
        cancel=t(lang, "form.cancel"),
        intro=case_title(case),
        inputs=(Input("note", t(lang, "form.field.resolution"), InputKind.MULTILINE),),
        context={"case": str(case.id)},
    )


def reassign_form(case: Case, lang: str, *, candidates: Sequence[Option]) -> Form:
    """A pick among the coordinators of the case's region (nobody else may take it)."""
    return Form(
        id=FormId.REASSIGN,
        title=t(lang, "form.reassign.title"),
        submit=t(lang, "form.reassign.submit"),
        cancel=t(lang, "form.cancel"),
        intro=f"{case_title(case)}\n{t(lang, 'form.reassign.intro', region=case.region)}",
        inputs=(
            Input("assignee", t(lang, "form.field.assignee"), InputKind.SELECT, options=tuple(candidates)),
        ),
        context={"case": str(case.id)},
    )


def escalate_up_form(case: Case, lang: str) -> Form:
    return Form(
        id=FormId.ESCALATE_UP,
        title=t(lang, "form.escalate_up.title"),
        submit=t(lang, "form.escalate_up.submit"),
        cancel=t(lang, "form.cancel"),
        intro=case_title(case),
        inputs=(Input("note", t(lang, "form.field.reason"), InputKind.MULTILINE, max_length=1000),),
        context={"case": str(case.id)},
    )


def note_form(case: Case, lang: str) -> Form:
    return Form(
        id=FormId.NOTE,
        title=t(lang, "form.note.title"),
        submit=t(lang, "form.note.submit"),
        cancel=t(lang, "form.cancel"),
        intro=case_title(case),
        inputs=(Input("note", t(lang, "form.field.note"), InputKind.MULTILINE),),
        context={"case": str(case.id)},
    )


def queue_reply(
    queue: Queue,
    *,
    directory: Directory,
    lang: str,
    now: datetime,
    on_duty: Sequence[str] = (),
    works_cases: bool = True,
) -> Reply:
    """The person's queue. Someone who does not work cases (a rep) sees only the cases they raised."""
    requests = requests_text(queue.requested, directory=directory, lang=lang, now=now)
    if not works_cases:
        return Reply(
            title=t(lang, "queue.requests_title", n=len(queue.requested)), text=requests, ephemeral=True
        )

    def lines(cases: Sequence[Case]) -> str:
        if not cases:
            return t(lang, "queue.none")
        return "\n".join(
            f"• {case_title(c)} ({t(lang, f'priority.{c.priority.value}')}, {c.region}, "
            f"{age(now - c.created_at, lang)})"
            for c in cases[:15]
        )

    fields = (
        Field(t(lang, "queue.mine", n=len(queue.mine)), lines(queue.mine)),
        Field(t(lang, "queue.unclaimed", n=len(queue.unclaimed)), lines(queue.unclaimed)),
        Field(t(lang, "queue.breaching", n=len(queue.breaching)), lines(queue.breaching)),
    )
    text = f"{t(lang, 'queue.requests', n=len(queue.requested))}\n{requests}" if queue.requested else ""
    return Reply(
        title=t(lang, "queue.title"), text=text, fields=fields, context=tuple(on_duty), ephemeral=True
    )


def requests_text(cases: Sequence[Case], *, directory: Directory, lang: str, now: datetime) -> str:
    """One line per case someone raised: number (a link to its thread), summary, status with assignee, age."""
    if not cases:
        return t(lang, "queue.requests_none")
    lines = []
    for case in cases[:20]:
        ref = f"[{case.ref}]({case.card.link})" if case.card and case.card.link else case.ref
        status = status_line(case, directory=directory, lang=lang)
        lines.append(f"• {ref} · {case.summary} — {status} · {age(now - case.created_at, lang)}")
    return "\n".join(lines)


def requester_view(
    case: Case,
    *,
    directory: Directory,
    lang: str,
    now: datetime,
    text: str = "",
    context: Sequence[str] = (),
    can_reopen: bool = False,
) -> Reply:
    """What the requester sees of their case: its number and summary, status, a link to its thread, and
    what they may do now: add information (while active), cancel (while unclaimed), reopen (in the window)."""
    value = str(case.id)
    buttons: list[Button] = []
    if case.status in (CaseStatus.OPEN, CaseStatus.CLAIMED):
        buttons.append(Button(Action.NOTE, t(lang, "button.add_info"), value, Style.PRIMARY))
    if case.status is CaseStatus.OPEN:
        buttons.append(Button(Action.CANCEL, t(lang, "button.cancel_case"), value, Style.DANGER))
    if case.status is CaseStatus.RESOLVED and can_reopen:
        buttons.append(Button(Action.REOPEN, t(lang, "button.reopen"), value))
    fields = (
        Field(t(lang, "case.field.status"), status_line(case, directory=directory, lang=lang)),
        Field(t(lang, "case.field.age"), age(now - case.created_at, lang)),
    )
    return Reply(
        title=case_title(case),
        text=text,
        fields=fields,
        context=tuple(context),
        buttons=tuple(buttons),
        link=thread_link(case, lang),
    )


def assignee_card(
    case: Case, *, directory: Directory, lang: str, now: datetime, sla: Sla | None, text: str
) -> Reply:
    """The full case card in the new assignee's DM after a hand-off: Accept first, then the case buttons."""
    card = case_card(case, directory=directory, lang=lang, now=now, sla=sla)
    accept = Button(Action.ACCEPT, t(lang, "button.accept"), str(case.id), Style.PRIMARY)
    buttons = (accept, *card.buttons) if case.status is CaseStatus.CLAIMED else card.buttons
    return Reply(
        title=card.title,
        text=text,
        fields=card.fields,
        context=card.context,
        buttons=buttons,
        link=thread_link(case, lang),
        accent=card.accent,
    )
