"""What the bot does with a reply in a case's thread, on every platform: a command, a question, or nothing.

- Ordinary conversation changes nothing and gets no answer.
- A policy question addressed to the bot is answered from the knowledge base, in the thread.
- Claim and note act at once (claim is race-checked; a note only adds to the history).
- Resolve, release, reassign, escalate-up, reopen and cancel first ask the writer to confirm, in a
  message only they see; the Confirm button carries the command (verb, note, target) and the case's
  fence at the time of asking, so a confirmation acts once, only for that person, and only on the
  case as it was when they asked (a case that changed meanwhile is refused as stale).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.cases import rules as cases
from bot.commands import run_thread
from bot.errors import IllegalTransition, InvalidInput, NotAllowed, StaleConfirmation
from bot.i18n import t
from bot.models import Actor, Case, CaseId, CaseStatus, PersonId
from bot.replies import Action, Button, Reply, Style
from bot.thread_commands import MENTION, NOTE_REQUIRED, ThreadCommand, Verb, parse_thread
from bot.thread_undo import undo_button, undo_hint

if TYPE_CHECKING:
    from bot.cases.desk import SupportDesk

DESTRUCTIVE = frozenset(
    {Verb.RESOLVE, Verb.RELEASE, Verb.REASSIGN, Verb.ESCALATE_UP, Verb.REOPEN, Verb.CANCEL}
)
VALUE_LIMIT = 1900  # a Slack button value holds 2000 characters


@dataclass(frozen=True, slots=True)
class ThreadOutcome:
    """`private` goes only to the writer (a confirmation, a refusal, "note added"); `public` is posted in
    the thread (a knowledge-base answer); `acted` marks the message as carried out (Slack's ✅)."""

    private: Reply | None = None
    public: Reply | None = None
    acted: bool = False
    command: ThreadCommand | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """A destructive command waiting for its writer's Confirm: what rides in the button's value."""

    case_id: CaseId
    command: ThreadCommand
    person: PersonId
    fence: int

    def encode(self) -> str:
        data = {
            "c": int(self.case_id),
            "v": self.command.verb.value,
            "n": self.command.text,
            "t": self.command.target,
            "p": self.person,
            "f": self.fence,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def decode(cls, value: str) -> Pending:
        try:
            data = json.loads(value)
            command = ThreadCommand(Verb(data["v"]), str(data.get("n") or ""), data.get("t"))
            if command.verb not in DESTRUCTIVE:
                raise ValueError(command.verb)
            return cls(CaseId(int(data["c"])), command, PersonId(str(data["p"])), int(data["f"]))
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("confirmation", "error.generic") from None


async def on_thread_reply(
    desk: SupportDesk,
    actor: Actor,
    case_id: CaseId,
    text: str,
    *,
    mentions: tuple[PersonId, ...] = (),
    addressed: bool = False,
) -> ThreadOutcome:
    """Decide and do what a thread reply asks (see the module docstring). Refusals raise DeskErrors."""
    command = parse_thread(text, mentions=mentions, addressed=addressed)
    if command is not None and "@" in command.text:
        command = replace(command, text=_with_names(desk, text, command.text, mentions))
    if command is None:
        question = " ".join(word for word in text.split() if not word.startswith("@"))
        if addressed and question:
            return ThreadOutcome(public=await desk.ask(actor, question))
        return ThreadOutcome()
    lang = actor.language
    if command.verb in NOTE_REQUIRED and not command.text:
        key = {Verb.ESCALATE_UP: "invalid.reason_required", Verb.NOTE: "invalid.note_text_required"}
        return ThreadOutcome(
            private=Reply(text=t(lang, key.get(command.verb, "invalid.note_required")), ephemeral=True),
            command=command,
        )
    if command.verb is Verb.CLAIM:
        case = await desk.claim(actor, case_id)
        done = Reply(
            text=t(lang, "confirm.claimed", case=case.ref),
            context=(undo_hint(lang),),
            buttons=await undo_button(desk, actor, case.id, Verb.CLAIM),
            ephemeral=True,
        )
        return ThreadOutcome(private=done, acted=True, command=command)
    if command.verb is Verb.NOTE:
        await desk.add_note(actor, case_id, note=command.text)
        return ThreadOutcome(
            private=Reply(text=t(lang, "note.saved"), ephemeral=True), acted=True, command=command
        )
    case = await desk.case(case_id)
    check(desk, actor, case, command)
    pending = Pending(case.id, command, actor.id, case.fence)
    return ThreadOutcome(private=prompt(desk, actor, case, pending), command=command)


def _with_names(desk: SupportDesk, text: str, note: str, mentions: tuple[PersonId, ...]) -> str:
    """The note with its mentions (`@U0TOM`: the last ones of the message) written as people's names."""
    in_note = list(MENTION.finditer(note))
    first = len(MENTION.findall(text)) - len(in_note)
    names = [
        f"@{desk.directory.name(mentions[first + i])}" if 0 <= first + i < len(mentions) else m.group(0)
        for i, m in enumerate(in_note)
    ]
    parts = MENTION.split(note)
    return "".join(p + (names[i] if i < len(names) else "") for i, p in enumerate(parts))


def check(desk: SupportDesk, actor: Actor, case: Case, command: ThreadCommand) -> None:
    """Refuse now, before asking to confirm, what the desk would refuse on Confirm (same rules)."""
    verb = command.verb
    if verb in (Verb.RESOLVE, Verb.RELEASE, Verb.REASSIGN):
        cases.require_status(case, verb.value, CaseStatus.CLAIMED)
        cases.require_owner(actor, case, verb.value)
    elif verb is Verb.ESCALATE_UP:
        cases.require_status(case, verb.value, CaseStatus.OPEN, CaseStatus.CLAIMED)
        if case.status is CaseStatus.CLAIMED:
            cases.require_owner(actor, case, verb.value)
        elif not actor.role.can_claim and actor.id != case.requester:
            raise NotAllowed(verb.value, reason="role")
        if case.supervisor_tier:
            raise IllegalTransition(verb.value, "supervisor_tier")
    elif verb is Verb.REOPEN:
        cases.require_reopener(actor, case, now=desk.clock(), window=desk.config.reopen_window)
    elif verb is Verb.CANCEL:
        cases.require_status(case, verb.value, CaseStatus.OPEN, CaseStatus.CLAIMED)
        if actor.id != case.requester and not actor.role.is_supervisor:
            raise NotAllowed(verb.value, reason="not_requester")
    if verb is Verb.REASSIGN:
        if command.target is None:
            raise InvalidInput("assignee", "invalid.mention_needed")
        target = desk.directory.person(command.target)
        if not target.role.can_claim:
            raise InvalidInput("assignee", "invalid.not_coordinator", name=target.name)
        if command.target == case.assignee:
            raise InvalidInput("assignee", "invalid.same_assignee", name=target.name)


def prompt(desk: SupportDesk, actor: Actor, case: Case, pending: Pending) -> Reply:
    """ "Resolve CS-12 with the note "…"?" with Confirm / Cancel, for the writer's eyes only."""
    lang = actor.language
    value = pending.encode()
    if len(value) > VALUE_LIMIT:
        raise InvalidInput("note", "invalid.too_long", limit=VALUE_LIMIT - 200)
    command = pending.command
    target = desk.directory.name(command.target) if command.target else ""
    text = t(lang, f"confirm.{command.verb.value}", case=case.ref, to=target)
    context = (t(lang, "confirm.note", note=command.text),) if command.text else ()
    style = Style.DANGER if command.verb in (Verb.CANCEL, Verb.ESCALATE_UP) else Style.PRIMARY
    return Reply(
        text=text,
        context=context,
        buttons=(
            Button(Action.CONFIRM, t(lang, "button.confirm"), value, style),
            Button(Action.DISMISS, t(lang, "button.dismiss"), value),
        ),
        ephemeral=True,
    )


async def confirm(desk: SupportDesk, actor: Actor, value: str) -> Reply:
    """Carry out a confirmed command: only its writer may, once, and only on the case as it was asked about."""
    pending = Pending.decode(value)
    if pending.person != actor.id:
        raise NotAllowed("confirm", reason="not_writer")
    case = await desk.case(pending.case_id)
    if case.fence != pending.fence:
        raise StaleConfirmation(case.ref)
    await run_thread(pending.command, desk=desk, actor=actor, case_id=case.id)
    lang = actor.language
    buttons = await undo_button(desk, actor, case.id, pending.command.verb)
    return Reply(
        text=t(lang, f"confirm.done.{pending.command.verb.value}", case=case.ref),
        context=(undo_hint(lang),) if buttons else (),
        buttons=buttons,
        ephemeral=True,
    )


def dismiss(actor: Actor, value: str) -> Reply:
    """Cancel on a confirmation: nothing changes."""
    pending = Pending.decode(value)
    return Reply(text=t(actor.language, "confirm.dismissed", case=f"CS-{pending.case_id}"), ephemeral=True)
