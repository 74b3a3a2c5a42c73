"""Teams end to end: replies in a case thread without an @mention, 👀 on a case card, and /oncall cover and
swap (with Accept / Decline in the asked person's 1:1 chat) in four languages."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config import Settings
from bot.models import CaseId
from handlers.teams import unseen_channels
from tests.adapters.teams.conftest import CHANNEL, PEOPLE, Teams
from tests.adapters.teams.test_teams_flows import open_case, texts_of
from tests.fakes.clock import FakeClock
from tests.fakes.fake_bot_connector import Call

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # Ola's day on the PL rota
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Jan's
LOCALES = {"en": "en-GB", "pl": "pl-PL", "uk": "uk-UA", "hr": "hr-HR"}


def reply_in_thread(teams: Teams, text: str, *, thread: str, user: str) -> dict[str, Any]:
    """A plain reply in a channel thread, as Teams delivers it with ChannelMessage.Read.Group: no mention."""
    activity = teams.activity("message_channel_mention", user=user, text=text, entities=[])
    activity["conversation"]["id"] = thread
    return activity


def reaction(teams: Teams, kind: str, *, thread: str, on: str, user: str) -> dict[str, Any]:
    """A messageReaction activity: `user` adds `kind` to message `on` in channel thread `thread`."""
    activity = teams.activity("message_channel_mention", user=user, entities=[])
    activity.pop("text")
    activity.update(type="messageReaction", reactionsAdded=[{"type": kind}], replyToId=on)
    activity["conversation"]["id"] = thread
    return activity


async def click(
    teams: Teams, verb: str, data: dict[str, Any], *, user: str, conversation: str, locale: str
) -> Any:
    """An Action.Execute from a card in a 1:1 chat, from a Teams client in `locale`."""
    activity = teams.activity("invoke_action_execute", user=user, replyToId="1", locale=locale)
    activity["conversation"].update(id=conversation, conversationType="personal")
    activity["value"]["action"].update(verb=verb, data=data)
    status, body = await teams.post(activity)
    assert status == 200, body
    return body


def chats_with(teams: Teams, account: str) -> set[str]:
    """The 1:1 conversations the bot opened with `account` (or that they opened)."""
    created = {
        f"a:chat-{c.result_id}"
        for c in teams.connector.of("create")
        if any(m.get("id") == account for m in c.body.get("members", []))
    }
    user = next(name for name, (acc, _) in PEOPLE.items() if acc == account)
    return created | {f"a:personal-{user}"}


def sent_to(teams: Teams, account: str) -> list[Call]:
    chats = chats_with(teams, account)
    return [c for c in teams.connector.calls if c.method in ("send", "reply") and c.conversation in chats]


async def test_a_reply_without_a_mention_in_a_case_thread_claims(teams: Teams) -> None:
    thread, _ = await open_case(teams)

    status, _ = await teams.post(reply_in_thread(teams, "biorę", thread=thread, user="ola"))
    await teams.drain()

    assert status == 201
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "ola"


async def test_ordinary_chat_without_a_mention_in_a_case_thread_does_nothing(teams: Teams) -> None:
    thread, _ = await open_case(teams)
    teams.connector.clear()

    await teams.post(reply_in_thread(teams, "dzwoniłam do klienta, oddzwoni", thread=thread, user="ola"))
    await teams.drain()

    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee is None
    assert teams.connector.calls == []


async def test_eyes_on_the_case_card_claims_it(teams: Teams) -> None:
    thread, post = await open_case(teams)

    status, _ = await teams.post(reaction(teams, "1f440_eyes", thread=thread, on=post.result_id, user="jan"))
    await teams.drain()

    assert status in (200, 201)
    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "jan"
    assert len(teams.connector.of("update")) == 1  # the card shows it for everyone


@pytest.mark.parametrize("kind", ["like", "heart", "1f44d_thumbsup"])
async def test_other_reactions_do_not_claim(teams: Teams, kind: str) -> None:
    thread, post = await open_case(teams)

    await teams.post(reaction(teams, kind, thread=thread, on=post.result_id, user="jan"))

    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee is None


async def test_eyes_on_a_reply_in_the_thread_does_not_claim(teams: Teams) -> None:
    thread, _ = await open_case(teams)
    ping = next(c for c in teams.connector.of("send") if c.conversation == thread)

    await teams.post(reaction(teams, "1f440_eyes", thread=thread, on=ping.result_id, user="jan"))

    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee is None


async def test_eyes_after_someone_claimed_is_refused_privately(teams: Teams) -> None:
    thread, post = await open_case(teams)
    await teams.post(reaction(teams, "1f440_eyes", thread=thread, on=post.result_id, user="jan"))
    teams.connector.clear()

    await teams.post(reaction(teams, "1f440_eyes", thread=thread, on=post.result_id, user="ola"))

    case = await teams.services.store.case(CaseId(1))
    assert case is not None and case.assignee == "jan"
    [refusal] = sent_to(teams, "29:ola")
    assert any("Jan Kowalski" in text for text in refusal.texts)
    assert [c for c in teams.connector.calls if c.conversation == thread] == []  # nothing in the channel


@pytest.mark.parametrize(
    ("lang", "confirmed"),
    [
        ("en", "Ola Wiśniewska is on duty in PL: Wed 25 Nov, 14:00–18:00."),
        ("pl", "Ola Wiśniewska ma dyżur w regionie PL: śr., 25 lis, 14:00–18:00."),
        ("uk", "Ola Wiśniewska чергує у регіоні PL: ср, 25 лист., 14:00–18:00."),
        ("hr", "Ola Wiśniewska dežura u regiji PL: sri, 25. stu 14:00\u2009–\u200918:00."),
    ],
)
async def test_cover_from_teams_confirms_and_tells_the_people_affected(
    teams: Teams, clock: FakeClock, lang: str, confirmed: str
) -> None:
    clock.set(WEDNESDAY)
    activity = teams.activity(
        "message_personal",
        user="maria",
        locale=LOCALES[lang],
        text="oncall cover <at>Ola Wiśniewska</at> 14:00-18:00 PL",
        entities=[{"type": "mention", "text": "<at>Ola Wiśniewska</at>", "mentioned": {"id": "29:ola"}}],
    )
    activity["conversation"]["id"] = "a:personal-maria"

    await teams.post(activity)
    await teams.drain()

    [answer] = teams.connector.of("reply")
    assert confirmed in answer.texts
    [to_ola] = sent_to(teams, "29:ola")
    assert any("Masz dyżur w regionie PL: śr., 25 lis, 14:00–18:00" in text for text in to_ola.texts)
    [to_jan] = sent_to(teams, "29:jan")  # the rota had Jan on then
    assert any("Ola Wiśniewska przejmuje dyżur w regionie PL" in text for text in to_jan.texts)


@pytest.mark.parametrize(
    ("lang", "accepted"),
    [
        ("en", "Accepted: Ola Wiśniewska takes your shift in PL: Wed 25 Nov, 09:00 – Thu 26 Nov, 09:00."),
        (
            "pl",
            "Zaakceptowano: Ola Wiśniewska przejmuje Twój dyżur w regionie PL: śr., 25 lis, 09:00 – czw., 26 lis, 09:00.",
        ),
        (
            "uk",
            "Погоджено: Ola Wiśniewska бере вашу зміну у регіоні PL: ср, 25 лист., 09:00 – чт, 26 лист., 09:00.",
        ),
        (
            "hr",
            "Prihvaćeno: Ola Wiśniewska preuzima vašu smjenu u regiji PL: sri, 25. stu 09:00 – čet, 26. stu 09:00.",
        ),
    ],
)
async def test_swap_from_teams_waits_for_accept_in_the_asked_persons_chat(
    teams: Teams, clock: FakeClock, lang: str, accepted: str
) -> None:
    clock.set(TUESDAY)
    activity = teams.activity(
        "message_personal",
        user="ola",
        text="oncall swap <at>Jan Kowalski</at>",
        entities=[{"type": "mention", "text": "<at>Jan Kowalski</at>", "mentioned": {"id": "29:jan"}}],
    )
    activity["conversation"]["id"] = "a:personal-ola"
    roster = teams.services.desk.roster

    await teams.post(activity)
    await teams.drain()

    [asked] = teams.connector.of("reply")
    assert any(text.startswith("Prośba wysłana: Jan Kowalski") for text in asked.texts)
    assert (await roster.on_duty("PL", at=WEDNESDAY)).people == ("jan",)
    [request] = sent_to(teams, "29:jan")
    verbs = {a["verb"]: a["data"] for a in request.card["actions"]}
    assert set(verbs) == {"rota.swap_accept", "rota.swap_decline"}

    body = await click(
        teams,
        "rota.swap_accept",
        verbs["rota.swap_accept"],
        user="jan",
        conversation=request.conversation,
        locale=LOCALES[lang],
    )
    again = await click(
        teams,
        "rota.swap_decline",
        verbs["rota.swap_decline"],
        user="jan",
        conversation=request.conversation,
        locale=LOCALES[lang],
    )
    await teams.drain()

    assert accepted in texts_of(body)  # the request card, replaced by the answer in Jan's client language
    assert texts_of(again) == texts_of(body)  # a late Decline changes nothing
    assert [a.get("verb") for a in body["value"].get("actions", [])] == []
    assert (await roster.on_duty("PL", at=WEDNESDAY)).people == ("ola",)
    told = [t for call in sent_to(teams, "29:ola") for t in call.texts]
    assert any(t.startswith("Jan Kowalski się zgadza: masz dyżur w regionie PL") for t in told)


async def test_a_private_coordinators_channel_is_reported_unusable_by_config_check(
    teams: Teams, settings: Settings
) -> None:
    created = teams.activity("conversation_update_installed_in_team", user="maria")
    created.pop("membersAdded")
    created["channelData"].update(
        eventType="channelCreated", channel={"id": CHANNEL, "name": "pl-coordinators", "type": "private"}
    )
    created["conversation"]["id"] = "19:general@thread.tacv2"
    await teams.post(created)

    problems = await unseen_channels(teams.services.store, teams.services.config)
    check = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "config",
        "check",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": settings.database_url},
    )
    out, err = await asyncio.wait_for(check.communicate(), timeout=300)

    assert check.returncode == 0, err.decode()
    [private] = [p for p in problems if CHANNEL in p]
    assert "is a private channel" in private
    assert f"warning: {private}" in out.decode()
    assert sum("never seen" in p for p in problems) == 3  # the other regions' channels
