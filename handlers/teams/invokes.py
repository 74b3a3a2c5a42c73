"""Universal Actions: each Action.Execute verb (a bot.replies Action or FormId) -> one desk call -> the card
that replaces the clicked one for the person who clicked (the channel's copy is updated by the worker)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext, serializer_helper
from botbuilder.schema import Activity, ActivityTypes

from bot.cases.csat import SCORES
from bot.cases.desk import SupportDesk
from bot.errors import InvalidInput
from bot.i18n import t
from bot.models import Actor, CaseId, MessageRef, PersonId, Platform, parse_case_ref
from bot.replies import Action, Form, FormId, Reply
from bot.thread_replies import confirm, dismiss
from bot.thread_undo import undo
from handlers.teams import cards
from handlers.teams.activities import InvokeBody, card_response, message_response

logger = logging.getLogger(__name__)

FORM_CONTEXT = "form_context"
CASE_FORMS = {Action.RESOLVE: "resolve", Action.REASSIGN: "reassign", Action.NOTE: "note"}
CSAT_VERBS = {*(a.value for a in SCORES), Action.CSAT_COMMENT.value}


def reply_response(reply: Reply) -> InvokeBody:
    """An ephemeral reply without buttons is a short message; anything else replaces the card."""
    if reply.ephemeral and not reply.buttons and not reply.title and not reply.fields:
        return message_response(reply.text)
    return card_response(cards.reply_card(reply))


def submitted(data: dict[str, Any]) -> dict[str, str]:
    """The input values of a form submit (Teams merges them into the action's data)."""
    return {k: "" if v is None else str(v) for k, v in data.items() if k not in (FORM_CONTEXT, "value")}


def client_key(activity: Activity, values: dict[str, str]) -> str:
    """One case per submitted form: the form's message id plus what was entered (a double click is one case)."""
    digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
    conversation = activity.conversation.id if activity.conversation else ""
    return f"teams:{conversation}:{activity.reply_to_id or activity.id}:{digest}"


def case_id(value: object) -> CaseId:
    found = parse_case_ref(str(value or ""))
    if found is None:
        raise InvalidInput("case", "error.invalid_input")
    return found


class Invokes:
    def __init__(self, desk: SupportDesk) -> None:
        self.desk = desk

    async def run(
        self, turn_context: TurnContext, actor: Actor, *, verb: str, data: dict[str, Any]
    ) -> InvokeBody:
        value = str(data.get("value") or "")
        context = {str(k): str(v) for k, v in dict(data.get(FORM_CONTEXT) or {}).items()}
        if verb == FormId.CSAT_COMMENT:
            reply = await self.desk.submit_csat(actor, case_id(context.get("case")), submitted(data))
            return reply_response(reply)
        if verb in CSAT_VERBS:
            return await self._csat(actor, Action(verb), value)
        if verb in FormId.__members__.values():
            return await self._submit(turn_context, actor, FormId(verb), submitted(data), context)
        if verb not in Action.__members__.values():
            logger.warning("Teams: unknown card verb %r", verb)
            return message_response(t(actor.language, "error.generic"))
        return await self._button(actor, Action(verb), value)

    async def _csat(self, actor: Actor, action: Action, value: str) -> InvokeBody:
        """A CSAT answer (one per case, changeable) or the form for a comment."""
        if action is Action.CSAT_COMMENT:
            return card_response(cards.form_card(await self.desk.csat_form(actor, case_id(value))))
        return reply_response(await self.desk.answer_csat(actor, case_id(value), SCORES[action]))

    async def _case_card(self, case: CaseId) -> InvokeBody:
        return card_response(cards.reply_card(await self.desk.card(case)))

    async def _button(self, actor: Actor, action: Action, value: str) -> InvokeBody:
        desk = self.desk
        if action is Action.CONFIRM:
            return reply_response(await confirm(desk, actor, value))
        if action is Action.DISMISS:
            return reply_response(dismiss(actor, value))
        if action is Action.UNDO:
            return message_response(await undo(desk, actor, value))
        if action is Action.CLAIM:
            await desk.claim(actor, case_id(value))
        elif action is Action.RELEASE:
            await desk.release(actor, case_id(value))
        elif action is Action.ESCALATE_UP:
            await desk.escalate_up(actor, case_id(value))
        elif action is Action.REOPEN:
            await desk.reopen(actor, case_id(value))
        elif action in CASE_FORMS:
            form = await desk.case_form(actor, case_id(value), CASE_FORMS[action])
            return card_response(cards.form_card(form))
        elif action is Action.DETAILS:
            return reply_response(await desk.details(actor, case_id(value)))
        elif action in (Action.HELPFUL, Action.NOT_HELPFUL):
            helpful = action is Action.HELPFUL
            return reply_response(await desk.feedback(actor, int(value), helpful=helpful))
        elif action is Action.SHOW_ARTICLE:
            return reply_response(desk.article(actor, value))
        else:  # Action.ESCALATE_QUESTION
            form = await desk.question_escalation_form(actor, int(value))
            return card_response(cards.form_card(form))
        return await self._case_card(case_id(value))

    async def _submit(
        self,
        turn_context: TurnContext,
        actor: Actor,
        form_id: FormId,
        values: dict[str, str],
        context: dict[str, str],
    ) -> InvokeBody:
        """Run a submitted form; a field the desk rejects is shown on the form again, with the entered values."""
        redo: Callable[[], Awaitable[Form]]
        if form_id is FormId.ESCALATE:

            async def redo() -> Form:
                return self.desk.escalation_form(actor, context=context)

        else:
            case = case_id(context.get("case"))
            kind = {FormId.RESOLVE: "resolve", FormId.REASSIGN: "reassign", FormId.NOTE: "note"}[form_id]

            async def redo() -> Form:
                return await self.desk.case_form(actor, case, kind)

        try:
            return await self._apply(turn_context, actor, form_id, values, context)
        except InvalidInput as error:
            message = t(actor.language, error.reason_key, **error.params)
            return card_response(cards.form_card(await redo(), values=values, errors={error.field: message}))

    async def _apply(
        self,
        turn_context: TurnContext,
        actor: Actor,
        form_id: FormId,
        values: dict[str, str],
        context: dict[str, str],
    ) -> InvokeBody:
        desk = self.desk
        if form_id is FormId.ESCALATE:
            activity = turn_context.activity
            reference = TurnContext.get_conversation_reference(activity)
            source = MessageRef(
                Platform.TEAMS,
                json.dumps({"reference": reference.serialize(), "activity_id": activity.reply_to_id}),
            )
            escalated = await desk.escalate(
                actor, values, client_key=client_key(activity, values), source=source, context=context
            )
            return card_response(cards.reply_card(escalated.reply))
        case = case_id(context.get("case"))
        if form_id is FormId.RESOLVE:
            await desk.resolve(actor, case, note=values.get("note", ""))
        elif form_id is FormId.REASSIGN:
            await desk.reassign(actor, case, to=PersonId(values.get("assignee", "")))
        else:
            await desk.add_note(actor, case, note=values.get("note", ""))
        return await self._case_card(case)

    async def answer_again(self, turn_context: TurnContext) -> None:
        """A redelivered invoke: answer with the case's current card (or a plain OK), never act twice."""
        action = dict((turn_context.activity.value or {}).get("action") or {})
        data = dict(action.get("data") or {})
        found = parse_case_ref(str(data.get("value") or dict(data.get(FORM_CONTEXT) or {}).get("case") or ""))
        if found is not None and str(action.get("verb", "")).startswith("case."):
            body = await self._case_card(found)
        else:
            body = message_response("✓")
        await send_invoke_response(turn_context, body)


async def send_invoke_response(turn_context: TurnContext, body: InvokeBody) -> None:
    """Set the HTTP answer of an invoke outside the handler's return path (errors, redeliveries)."""
    await turn_context.send_activity(
        Activity(
            type=ActivityTypes.invoke_response,
            value=InvokeResponse(status=200, body=serializer_helper(body)),
        )
    )
