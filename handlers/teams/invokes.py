"""Universal Actions: each Action.Execute verb (a bot.replies Action or FormId) goes through the interactions
table (bot/interactions.py); its Outcome becomes the invoke answer: a form, the card as it now reads for the
person who clicked (the channel's copy is updated by the worker), or a short message."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext, serializer_helper
from botbuilder.schema import Activity, ActivityTypes

from bot.cases.desk import SupportDesk
from bot.errors import InvalidInput
from bot.i18n import t
from bot.interactions import ACTIONS, Outcome, case_of, form_again, interact, submit
from bot.models import Actor, CaseId, MessageRef, Platform, parse_case_ref
from bot.replies import Action, FormId, Reply
from handlers.teams import cards
from handlers.teams.activities import InvokeBody, card_response, message, message_response

logger = logging.getLogger(__name__)

FORM_CONTEXT = "form_context"


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


class Invokes:
    def __init__(self, desk: SupportDesk) -> None:
        self.desk = desk

    async def run(
        self, turn_context: TurnContext, actor: Actor, *, verb: str, data: dict[str, Any]
    ) -> InvokeBody:
        """One branch for every button (through the interactions table) and one for every form."""
        value = str(data.get("value") or "")
        context = {str(k): str(v) for k, v in dict(data.get(FORM_CONTEXT) or {}).items()}
        if verb == FormId.CSAT_COMMENT:
            reply = await self.desk.submit_csat(actor, case_of(context.get("case")), submitted(data))
            return reply_response(reply)
        if verb in FormId.__members__.values():
            return await self._submit(turn_context, actor, FormId(verb), submitted(data), context)
        if verb not in ACTIONS:
            logger.warning("Teams: unknown card verb %r", verb)
            return message_response(t(actor.language, "error.generic"))
        return await self._outcome(turn_context, actor, await interact(self.desk, actor, Action(verb), value))

    async def _outcome(self, turn_context: TurnContext, actor: Actor, outcome: Outcome) -> InvokeBody:
        """The invoke answer: a form, or the clicked card as it now reads; a private note rides along
        in the personal chat when the card changes too."""
        if outcome.form is not None:
            return card_response(cards.form_card(outcome.form))
        if outcome.view is not None:
            conversation = turn_context.activity.conversation
            personal = conversation is None or conversation.conversation_type in (None, "personal")
            if outcome.reply is not None and personal:  # never a private note into a channel
                await turn_context.send_activity(message(outcome.reply))
            return card_response(cards.reply_card(outcome.view))
        assert outcome.reply is not None
        return reply_response(outcome.reply)

    async def _case_card(self, case: CaseId) -> InvokeBody:
        return card_response(cards.reply_card(await self.desk.card(case)))

    async def _submit(
        self,
        turn_context: TurnContext,
        actor: Actor,
        form_id: FormId,
        values: dict[str, str],
        context: dict[str, str],
    ) -> InvokeBody:
        """Run a submitted form; a field the desk rejects is shown on the form again, with the entered values."""
        try:
            if form_id is FormId.ESCALATE:
                return await self._escalate(turn_context, actor, values, context)
            return await self._outcome(
                turn_context, actor, await submit(self.desk, actor, form_id, context, values)
            )
        except InvalidInput as error:
            if form_id is FormId.ESCALATE:
                form = self.desk.escalation_form(actor, context=context)
            else:
                form = await form_again(self.desk, actor, form_id, context)
            message_text = t(actor.language, error.reason_key, **error.params)
            return card_response(cards.form_card(form, values=values, errors={error.field: message_text}))

    async def _escalate(
        self, turn_context: TurnContext, actor: Actor, values: dict[str, str], context: dict[str, str]
    ) -> InvokeBody:
        activity = turn_context.activity
        reference = TurnContext.get_conversation_reference(activity)
        source = MessageRef(
            Platform.TEAMS,
            json.dumps({"reference": reference.serialize(), "activity_id": activity.reply_to_id}),
        )
        question = int(context["question"]) if context.get("question", "").isdigit() else None
        escalated = await self.desk.escalate(
            actor,
            values,
            client_key=client_key(activity, values),
            source=source,
            question=question,
            context=context,
        )
        return card_response(cards.reply_card(escalated.reply))

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
