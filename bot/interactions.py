"""Every button and case form in one table: the desk call it makes and what the person sees next.

Adding a case button: its `Action` member (bot/replies.py), its row in `ACTIONS` below, the `Button`
on a Reply (bot/cases/views.py), its label in the four catalogs, and tests. The Slack and Teams
adapters send every action through `interact` and every case form through `submit`, and render the
`Outcome`; they do not change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.errors import InvalidInput
from bot.i18n import t
from bot.models import Actor, Case, CaseId, CsatScore, PersonId, parse_case_ref
from bot.replies import Action, Button, Form, FormId, Reply
from bot.thread_replies import confirm, dismiss
from bot.thread_undo import undo

if TYPE_CHECKING:
    from bot.cases.desk import SupportDesk


class Next(StrEnum):
    """What the person sees after their click."""

    CARD = "card"  # the case changed: its card (or the requester's view) is shown again, updated
    FORM = "form"  # a form opens
    REPLY = "reply"  # a reply only they see
    MESSAGE = "message"  # the clicked message itself changes (a recorded vote, an escalated question)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an interaction, for the adapter to render.

    `view` replaces the clicked message for the person who clicked (Teams answers the invoke with it;
    Slack edits the message, except a case card in a coordinators' channel, which the worker updates
    for everyone). `reply` is shown only to them; `form` is opened; `case` is the case it changed.
    """

    next: Next
    view: Reply | None = None
    reply: Reply | None = None
    form: Form | None = None
    case: Case | None = None


Run = Callable[["SupportDesk", Actor, str], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Interaction:
    action: Action
    next: Next
    run: Run


def case_of(value: object) -> CaseId:
    found = parse_case_ref(str(value or ""))
    if found is None:
        raise InvalidInput("case", "error.invalid_input")
    return found


def _changed(call: Callable[[SupportDesk, Actor, CaseId], Awaitable[Case]]) -> Run:
    async def run(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
        case = await call(desk, actor, case_of(value))
        return Outcome(Next.CARD, view=desk.view_for(actor, case), case=case)

    return run


def _form(kind: str) -> Run:
    async def run(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
        return Outcome(Next.FORM, form=await desk.case_form(actor, case_of(value), kind))

    return run


async def _details(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
    return Outcome(Next.REPLY, reply=await desk.details(actor, case_of(value)))


def _vote(helpful: bool) -> Run:
    async def run(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
        answer = await desk.feedback(actor, int(value), helpful=helpful)
        return Outcome(Next.REPLY, reply=answer) if answer.ephemeral else Outcome(Next.MESSAGE, view=answer)

    return run


async def _article(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
    return Outcome(Next.REPLY, reply=desk.article(actor, value))


async def _pick(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
    """A "Did you mean ...?" suggestion the asker chose: it becomes the question's answer."""
    return Outcome(Next.REPLY, reply=await desk.pick(actor, value))


def _csat(score: CsatScore) -> Run:
    """The requester's answer to "Did this solve it?" (one per case; a change of mind replaces it)."""

    async def run(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
        return Outcome(Next.REPLY, reply=await desk.answer_csat(actor, case_of(value), score))

    return run


async def _csat_comment(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
    return Outcome(Next.FORM, form=await desk.csat_form(actor, case_of(value)))


def _swap(accept: bool) -> Run:
    """The person asked for a rota swap answers; the request message becomes the answer."""

    async def run(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
        if not value.isdigit():
            raise InvalidInput("swap", "error.invalid_input")
        return Outcome(Next.MESSAGE, view=await desk.answer_swap(actor, int(value), accept=accept))

    return run


async def _escalate_question(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
    """At most one case per question: once escalated, the answer shows the case instead of opening a form."""
    question = int(value)
    case = await desk.escalated_question(question)
    if case is None:
        return Outcome(Next.FORM, form=await desk.question_escalation_form(actor, question))
    view = await desk.answers.escalated(question, case, lang=actor.language)
    note = Reply(text=t(actor.language, "answer.already_escalated", case=case.ref), ephemeral=True)
    return Outcome(Next.MESSAGE, view=view, reply=note, case=case)


async def _confirm(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
    """Confirm on the private confirmation of a thread command: its writer carries it out, once."""
    return Outcome(Next.REPLY, reply=await confirm(desk, actor, value))


async def _dismiss(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
    return Outcome(Next.REPLY, reply=dismiss(actor, value))


async def _undo(desk: SupportDesk, actor: Actor, value: str) -> Outcome:
    """Undo what a thread command just did (its doer only, within minutes, if nothing changed since)."""
    return Outcome(Next.REPLY, reply=Reply(text=await undo(desk, actor, value), ephemeral=True))


ACTIONS: dict[Action, Interaction] = {
    i.action: i
    for i in (
        Interaction(Action.CLAIM, Next.CARD, _changed(lambda d, a, c: d.claim(a, c))),
        Interaction(Action.RELEASE, Next.CARD, _changed(lambda d, a, c: d.release(a, c))),
        Interaction(Action.REOPEN, Next.CARD, _changed(lambda d, a, c: d.reopen(a, c))),
        Interaction(Action.CANCEL, Next.CARD, _changed(lambda d, a, c: d.cancel(a, c))),
        Interaction(Action.ACCEPT, Next.CARD, _changed(lambda d, a, c: d.accept(a, c))),
        Interaction(Action.TAKE_BACK, Next.CARD, _changed(lambda d, a, c: d.take_back(a, c))),
        Interaction(Action.RESOLVE, Next.FORM, _form("resolve")),
        Interaction(Action.REASSIGN, Next.FORM, _form("reassign")),
        Interaction(Action.ESCALATE_UP, Next.FORM, _form("escalate_up")),
        Interaction(Action.NOTE, Next.FORM, _form("note")),
        Interaction(Action.DETAILS, Next.REPLY, _details),
        Interaction(Action.HELPFUL, Next.MESSAGE, _vote(True)),
        Interaction(Action.NOT_HELPFUL, Next.MESSAGE, _vote(False)),
        Interaction(Action.SHOW_ARTICLE, Next.REPLY, _article),
        Interaction(Action.PICK_SUGGESTION, Next.REPLY, _pick),
        Interaction(Action.CSAT_YES, Next.REPLY, _csat(CsatScore.YES)),
        Interaction(Action.CSAT_PARTLY, Next.REPLY, _csat(CsatScore.PARTLY)),
        Interaction(Action.CSAT_NO, Next.REPLY, _csat(CsatScore.NO)),
        Interaction(Action.CSAT_COMMENT, Next.FORM, _csat_comment),
        Interaction(Action.ESCALATE_QUESTION, Next.FORM, _escalate_question),
        Interaction(Action.SWAP_ACCEPT, Next.MESSAGE, _swap(True)),
        Interaction(Action.SWAP_DECLINE, Next.MESSAGE, _swap(False)),
        Interaction(Action.CONFIRM, Next.REPLY, _confirm),
        Interaction(Action.DISMISS, Next.REPLY, _dismiss),
        Interaction(Action.UNDO, Next.REPLY, _undo),
    )
}

# Buttons that change something at once: a platform records their click durably before it acks
# (Slack's inbox), so an acknowledged click is never lost. A new such button belongs here.
CHANGES_STATE = frozenset(
    {
        Action.CLAIM,
        Action.RELEASE,
        Action.REOPEN,
        Action.CANCEL,
        Action.ACCEPT,
        Action.TAKE_BACK,
        Action.HELPFUL,
        Action.NOT_HELPFUL,
        Action.PICK_SUGGESTION,
        Action.CSAT_YES,
        Action.CSAT_PARTLY,
        Action.CSAT_NO,
        Action.SWAP_ACCEPT,
        Action.SWAP_DECLINE,
        Action.CONFIRM,
        Action.UNDO,
    }
)

# Actions whose usual outcome opens a form: a platform may have to answer within seconds to open one.
OPENS_FORM = frozenset(a for a, i in ACTIONS.items() if i.next is Next.FORM)


async def interact(desk: SupportDesk, actor: Actor, action: Action, value: str) -> Outcome:
    """Run the button `action` with its `value` (a case id, a question id, an article `id:lang`)."""
    return await ACTIONS[action].run(desk, actor, value)


# --- case forms ---------------------------------------------------------------------------------------

Submit = Callable[["SupportDesk", Actor, CaseId, Mapping[str, str]], Awaitable[Reply | None]]


async def _resolve(desk: SupportDesk, actor: Actor, case: CaseId, values: Mapping[str, str]) -> Reply | None:
    await desk.resolve(actor, case, note=values.get("note", ""))
    return None


async def _reassign(desk: SupportDesk, actor: Actor, case: CaseId, values: Mapping[str, str]) -> Reply | None:
    if not values.get("assignee"):
        raise InvalidInput("assignee", "invalid.mention_needed")
    changed = await desk.reassign(actor, case, to=PersonId(values["assignee"]))
    lang = actor.language
    text = t(lang, "case.handed_over", case=changed.ref, name=desk.directory.name(changed.assignee))
    take_back = Button(Action.TAKE_BACK, t(lang, "button.take_back"), str(changed.id))
    return Reply(text=text, buttons=(take_back,), ephemeral=True)


async def _escalate_up(
    desk: SupportDesk, actor: Actor, case: CaseId, values: Mapping[str, str]
) -> Reply | None:
    await desk.escalate_up(actor, case, note=values.get("note", ""))
    return None


async def _note(desk: SupportDesk, actor: Actor, case: CaseId, values: Mapping[str, str]) -> Reply | None:
    await desk.add_note(actor, case, note=values.get("note", ""))
    return Reply(text=t(actor.language, "note.saved"), ephemeral=True)


FORMS: dict[FormId, tuple[str, Submit]] = {
    FormId.RESOLVE: ("resolve", _resolve),
    FormId.REASSIGN: ("reassign", _reassign),
    FormId.ESCALATE_UP: ("escalate_up", _escalate_up),
    FormId.NOTE: ("note", _note),
}


async def submit(
    desk: SupportDesk, actor: Actor, form: FormId, context: Mapping[str, str], values: Mapping[str, str]
) -> Outcome:
    """Run a submitted case form. InvalidInput names the field to show the refusal on."""
    case_id = case_of(context.get("case"))
    reply = await FORMS[form][1](desk, actor, case_id, values)
    case = await desk.case(case_id)
    return Outcome(Next.CARD, view=desk.view_for(actor, case), reply=reply, case=case)


async def form_again(desk: SupportDesk, actor: Actor, form: FormId, context: Mapping[str, str]) -> Form:
    """The case form once more (to show a refused value on its field)."""
    return await desk.case_form(actor, case_of(context.get("case")), FORMS[form][0])
