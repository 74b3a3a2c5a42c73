"""Replies and forms the desk shows, built from models in the reader's language. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
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


def case_card(case: Case, *, directory: Directory, lang: str, now: datetime) -> Reply:
    """The one card of a case in the coordinators' channel, updated in place as the case moves."""
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
    value = str(case.id)
    details = Button(Action.DETAILS, t(lang, "button.details"), value)
    buttons: tuple[Button, ...]
    if case.status is CaseStatus.OPEN:
        buttons = (Button(Action.CLAIM, t(lang, "button.claim"), value, Style.PRIMARY), details)
    elif case.status is CaseStatus.CLAIMED:
        buttons = (
            Button(Action.RESOLVE, t(lang, "button.resolve"), value, Style.PRIMARY),
            Button(Action.RELEASE, t(lang, "button.release"), value),
            Button(Action.REASSIGN, t(lang, "button.reassign"), value),
            Button(Action.ESCALATE_UP, t(lang, "button.escalate_up"), value, Style.DANGER),
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
    return Form(
        id=FormId.REASSIGN,
        title=t(lang, "form.reassign.title"),
        submit=t(lang, "form.reassign.submit"),
        cancel=t(lang, "form.cancel"),
        intro=case_title(case),
        inputs=(
            Input("assignee", t(lang, "form.field.assignee"), InputKind.USER, options=tuple(candidates)),
        ),
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
    queue: Queue, *, directory: Directory, lang: str, now: datetime, on_duty: Sequence[str] = ()
) -> Reply:
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
    return Reply(title=t(lang, "queue.title"), fields=fields, context=tuple(on_duty), ephemeral=True)
