"""What rota changes say, to whom: confirmations for the person who acted and the direct messages to the
people affected (cover, swap request with Accept / Decline, the answer). Pure: text in the reader's
language, times in the reader's zone, with the zone named when it differs from the region's."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.config import Config
from bot.directory import Directory
from bot.i18n import t
from bot.i18n.times import Reader, span
from bot.models import PersonId
from bot.replies import Action, Button, Reply, Style
from bot.storage.rota import OverrideState, StoredOverride


class Notice(StrEnum):
    """The direct messages a rota change sends; each names its catalog key `oncall.notice.<value>`."""

    COVER_FOR_YOU = "cover_for_you"  # you were put on duty by someone else
    COVER_OVER_YOU = "cover_over_you"  # someone covers the region while you were on the rota
    SWAP_ASKED = "swap_asked"  # someone asks to take your shift: Accept / Decline
    SWAP_ACCEPTED = "swap_accepted"  # to the asker
    SWAP_DECLINED = "swap_declined"  # to the asker


def where(config: Config, code: str, lang: str) -> str:
    """The region as a phrase of place: "in PL", "w regionie PL"."""
    region = config.regions.get(code)
    return t(lang, "oncall.in_region", region=code, name=region.name if region else code)


def window(config: Config, override: StoredOverride, reader: Reader) -> str:
    """The override's time window for this reader, the zone named when it differs from the region's."""
    region = config.regions.get(override.region)
    return span(override.start, override.end, reader, place=region.timezone if region else None)


def _params(config: Config, directory: Directory, override: StoredOverride, reader: Reader) -> dict[str, str]:
    return {
        "name": directory.name(override.person),
        "owner": directory.name(override.replaces),
        "actor": directory.name(override.created_by),
        "where": where(config, override.region, reader.lang),
        "span": window(config, override, reader),
    }


def confirmation(
    config: Config, directory: Directory, override: StoredOverride, reader: Reader, *, key: str
) -> Reply:
    """What the person who changed the rota sees (`oncall.cover_done`, `oncall.swap_asked_done`, ...)."""
    return Reply(text=t(reader.lang, key, **_params(config, directory, override, reader)), ephemeral=True)


def notice(
    config: Config, directory: Directory, override: StoredOverride, reader: Reader, kind: Notice
) -> Reply:
    """The direct message of `kind` about `override`; a swap request carries Accept / Decline while pending."""
    lang = reader.lang
    text = t(lang, f"oncall.notice.{kind.value}", **_params(config, directory, override, reader))
    buttons: tuple[Button, ...] = ()
    if kind is Notice.SWAP_ASKED and override.state is OverrideState.PENDING:
        value = str(override.id)
        buttons = (
            Button(Action.SWAP_ACCEPT, t(lang, "button.swap_accept"), value, Style.PRIMARY),
            Button(Action.SWAP_DECLINE, t(lang, "button.swap_decline"), value, Style.DANGER),
        )
    return Reply(text=text, title=t(lang, "oncall.notice.title"), buttons=buttons)


def answered(
    config: Config, directory: Directory, override: StoredOverride, reader: Reader, *, now: datetime
) -> Reply:
    """The swap request as it reads once answered (it replaces the message with the buttons)."""
    if override.state is OverrideState.PENDING and override.end <= now:
        key = "oncall.swap_expired"
    else:
        key = {
            OverrideState.ACTIVE: "oncall.swap_you_accepted",
            OverrideState.DECLINED: "oncall.swap_you_declined",
            OverrideState.PENDING: "oncall.notice.swap_asked",
        }[override.state]
    lang = reader.lang
    return Reply(
        text=t(lang, key, **_params(config, directory, override, reader)),
        title=t(lang, "oncall.notice.title"),
    )


def affected_by_cover(scheduled: list[PersonId], *, cover: PersonId, actor: PersonId) -> list[PersonId]:
    """Who hears of a cover: the person put on duty unless they did it, and whoever the rota had on then."""
    told = [cover] if cover != actor else []
    told += [p for p in scheduled if p not in (cover, actor)]
    return list(dict.fromkeys(told))
