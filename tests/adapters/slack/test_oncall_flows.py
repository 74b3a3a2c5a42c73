"""/oncall through the real Slack handlers: cover and swap confirmations in four languages, the DMs of the
people affected, Accept / Decline on a swap request, and "/oncall on" only where the person is rostered."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from bot.i18n import t
from tests.adapters.slack.rig import IVANA, JAN, OLA, Rig, block_text

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 11:00 in Warsaw: Ola's day on the PL rota
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Jan's day
LOCALES = {"en": "en-GB", "pl": "pl-PL", "uk": "uk-UA", "hr": "hr-HR"}


def dm_texts(rig: Rig, user: str) -> list[str]:
    return [block_text(m.blocks) for m in rig.ws.history(rig.dm(user)) if m.user == rig.ws.bot_user_id]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Ivana Horvat is on duty in PL: Tue 24 Nov, 14:00–18:00."),
        ("pl", "Ivana Horvat ma dyżur w regionie PL: wt., 24 lis, 14:00–18:00."),
        ("uk", "Ivana Horvat чергує у регіоні PL: вт, 24 лист., 14:00–18:00."),
        ("hr", "Ivana Horvat dežura u regiji PL: uto, 24. stu 14:00\u2009–\u200918:00."),
    ],
)
async def test_cover_confirms_with_the_right_values_and_tells_the_people_affected(
    rig: Rig, lang: str, expected: str
) -> None:
    rig.clock.set(TUESDAY)
    rig.ws.users[JAN].locale = LOCALES[lang]

    await rig.command(JAN, "/oncall", f"cover <@{IVANA}> 14:00-18:00 PL")

    assert [e.text for e in rig.ws.ephemerals_for(JAN)] == [expected]
    [to_ivana] = dm_texts(rig, IVANA)  # in Ivana's language, whatever Jan's
    assert "Dežurate u regiji PL: uto, 24. stu 14:00\u2009–\u200918:00 (promjena: Jan Kowalski)." in to_ivana
    [to_ola] = dm_texts(rig, OLA)  # the rota had Ola on then
    assert "Ivana Horvat przejmuje dyżur w regionie PL: wt., 24 lis, 14:00–18:00" in to_ola
    on_duty = await rig.services.desk.roster.on_duty("PL", at=datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    assert on_duty.people == ("ivana",)


@pytest.mark.parametrize(
    ("lang", "asked"),
    [
        (
            "en",
            "Request sent: Jan Kowalski is asked to hand you their shift in PL: Wed 25 Nov, 09:00 – Thu 26 Nov, 09:00.",
        ),
        (
            "pl",
            "Prośba wysłana: Jan Kowalski musi zgodzić się na przekazanie Ci dyżuru w regionie PL: "
            "śr., 25 lis, 09:00 – czw., 26 lis, 09:00.",
        ),
        (
            "uk",
            "Запит надіслано: Jan Kowalski має погодитися передати вам зміну у регіоні PL: "
            "ср, 25 лист., 09:00 – чт, 26 лист., 09:00.",
        ),
        (
            "hr",
            "Zahtjev je poslan: Jan Kowalski treba pristati da vam prepusti smjenu u regiji PL: "
            "sri, 25. stu 09:00 – čet, 26. stu 09:00.",
        ),
    ],
)
async def test_swap_takes_effect_only_when_the_other_person_accepts(rig: Rig, lang: str, asked: str) -> None:
    rig.clock.set(TUESDAY)
    rig.ws.users[OLA].locale = LOCALES[lang]
    roster = rig.services.desk.roster

    await rig.command(OLA, "/oncall", f"swap <@{JAN}>")

    [confirmation] = rig.ws.ephemerals_for(OLA)
    assert confirmation.text.startswith(asked)
    assert (await roster.on_duty("PL", at=WEDNESDAY)).people == ("jan",)  # not until Jan says yes
    [request] = [m for m in rig.ws.history(rig.dm(JAN)) if m.user == rig.ws.bot_user_id]
    assert "Ola Wiśniewska prosi o przejęcie Twojego dyżuru w regionie PL" in block_text(request.blocks)

    await rig.click(JAN, request, "rota.swap_accept")

    [answered] = [m for m in rig.ws.history(rig.dm(JAN)) if m.user == rig.ws.bot_user_id]
    assert answered.ts == request.ts  # the request itself now reads as answered, without buttons
    assert "Zaakceptowano: Ola Wiśniewska przejmuje Twój dyżur" in block_text(answered.blocks)
    assert all(b.get("type") != "actions" for b in answered.blocks)
    assert (await roster.on_duty("PL", at=WEDNESDAY)).people == ("ola",)
    accepted = "Jan Kowalski się zgadza: masz dyżur w regionie PL: śr., 25 lis, 09:00 – czw., 26 lis, 09:00."
    assert any(accepted in text for text in dm_texts(rig, OLA))  # a DM is in Ola's configured language


async def test_a_declined_swap_leaves_the_rota_and_tells_the_asker(rig: Rig) -> None:
    rig.clock.set(TUESDAY)
    rig.ws.users[JAN].locale = "en-GB"
    await rig.command(OLA, "/oncall", f"swap <@{JAN}>")
    [request] = [m for m in rig.ws.history(rig.dm(JAN)) if m.user == rig.ws.bot_user_id]
    stale = copy.deepcopy(request)  # the message as a second, late click still sees it

    await rig.click(JAN, request, "rota.swap_decline")
    await rig.click(JAN, stale, "rota.swap_accept")  # changes nothing: the request was answered

    [answered] = [m for m in rig.ws.history(rig.dm(JAN)) if m.user == rig.ws.bot_user_id]
    assert "Declined: you keep your shift in PL: Wed 25 Nov, 09:00 – Thu 26 Nov, 09:00." in block_text(
        answered.blocks
    )
    assert (await rig.services.desk.roster.on_duty("PL", at=WEDNESDAY)).people == ("jan",)
    [told] = dm_texts(rig, OLA)  # one answer, not two
    assert "Jan Kowalski odmawia: dyżur w regionie PL: śr., 25 lis, 09:00 – czw., 26 lis, 09:00" in told


async def test_on_after_off_is_on_duty_only_where_rostered(rig: Rig) -> None:
    rig.clock.set(TUESDAY)  # Jan: PL rota, UA backup
    rig.ws.users[JAN].locale = "en-GB"
    roster = rig.services.desk.roster

    await rig.command(JAN, "/oncall", "off")
    await rig.command(JAN, "/oncall", "on")
    await rig.command(JAN, "/oncall", "on HR")

    assert (await roster.on_duty("PL", at=TUESDAY)).people == ("ola", "jan")
    assert (await roster.on_duty("UA", at=TUESDAY)).people == ("olena",)
    assert (await roster.on_duty("HR", at=TUESDAY)).people == ("ivana",)
    _, on, refused = [e.text for e in rig.ws.ephemerals_for(JAN)]
    assert on.startswith("You're on duty in PL.")
    assert "backup list for UA" in on
    assert refused == t("en", "invalid.not_rostered", region="HR")
