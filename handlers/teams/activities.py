"""Bot Framework wrappers around the pure cards: message activities and Universal Actions invoke responses."""

from __future__ import annotations

from typing import Any, ClassVar

from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse, Attachment

from bot.replies import Reply
from handlers.teams import cards

CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


class InvokeBody(AdaptiveCardInvokeResponse):  # type: ignore[misc]
    """AdaptiveCardInvokeResponse whose `value` may also be a string (botbuilder types it as a dict only)."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        **AdaptiveCardInvokeResponse._attribute_map,
        "value": {"key": "value", "type": "object"},
    }


def card_message(card: cards.Card) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=cards.CONTENT_TYPE, content=card)],
    )


def message(reply: Reply, *, alert: tuple[str, str] | None = None) -> Activity:
    """A message activity carrying the reply as one Adaptive Card."""
    return card_message(cards.reply_card(reply, alert=alert))


def card_response(card: cards.Card) -> InvokeBody:
    """The invoke answer that replaces the clicked card (for the person who clicked) with `card`."""
    return InvokeBody(status_code=200, type=CARD_RESPONSE, value=card)


def message_response(text: str) -> InvokeBody:
    """The invoke answer Teams shows as a short message to the person who clicked, and to nobody else."""
    return InvokeBody(status_code=200, type=MESSAGE_RESPONSE, value=text)


def entity_data(entity: Any) -> dict[str, Any]:
    """A deserialized Entity's fields (botbuilder keeps all but `type` in additional_properties)."""
    data: dict[str, Any] = dict(getattr(entity, "additional_properties", None) or {})
    data["type"] = getattr(entity, "type", None)
    return data
