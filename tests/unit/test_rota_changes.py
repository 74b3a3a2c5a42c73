"""/oncall from chat: parsing, cover and swap confirmations with the right values in four languages, the
people affected told in their DM, a swap counting only once accepted, "/oncall on" only where rostered,
and `supportbot oncall now` agreeing with chat."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from app.commands.oncall import run_now
from bot.cases.desk import SupportDesk
from bot.commands import OncallSyntaxError, OncallVerb, parse_oncall, run_oncall
from bot.config import Config
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import t
from bot.models import Actor, Identity, PersonId, Platform
from bot.oncall.roster import stored_state
from bot.ports import PersonTarget
from bot.replies import Action
from bot.storage.rota import OverrideState
from bot.storage.store import Store
from bot.timers.worker import JobWorker
from tests.fakes.clock import FakeClock
from tests.fakes.recording_notifier import RecordingNotifier

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 11:00 in Warsaw: Ola's day on the PL rota
LOCALES = {"en": "en-GB", "pl": "pl-PL", "uk": "uk-UA", "hr": "hr-HR"}


def actor(desk: SupportDesk, slack_id: str, lang: str | None = None) -> Actor:
    return desk.directory.actor(Identity(Platform.SLACK, slack_id), locale=LOCALES[lang] if lang else None)


async def oncall(desk: SupportDesk, who: Actor, text: str, *mentions: str) -> str:
    command = parse_oncall(
        text, mentions=tuple(PersonId(m) for m in mentions), regions=tuple(desk.config.regions)
    )
    return (await run_oncall(command, desk=desk, actor=who)).text


def test_oncall_forms() -> None:
    regions = ("PL", "UA")
    assert parse_oncall("", regions=regions).verb is OncallVerb.SHOW
    assert parse_oncall("pl", regions=regions).region == "PL"
    assert parse_oncall("off", regions=regions).verb is OncallVerb.OFF
    assert (parse_oncall("on ua", regions=regions).verb, parse_oncall("on ua", regions=regions).region) == (
        OncallVerb.ON,
        "UA",
    )
    command = parse_oncall("cover <@U0OLA> 14:00-18:30 UA", mentions=(PersonId("ola"),), regions=regions)
    assert (command.person, command.region, str(command.start), str(command.end)) == (
        "ola",
        "UA",
        "14:00:00",
        "18:30:00",
    )
    for bad in ("cover 14:00-18:00", "cover <@U0OLA> 25:00-26:00", "dance", "on XX", "off PL", "swap"):
        with pytest.raises(OncallSyntaxError):
            parse_oncall(bad, mentions=(PersonId("ola"),) if "U0OLA" in bad else (), regions=regions)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Ivana Horvat is on duty in PL: Tue 24 Nov, 14:00–18:00."),
        ("pl", "Ivana Horvat ma dyżur w regionie PL: wt., 24 lis, 14:00–18:00."),
        ("uk", "Ivana Horvat чергує у регіоні PL: вт, 24 лист., 14:00–18:00."),
        ("hr", "Ivana Horvat dežura u regiji PL: uto, 24. stu 14:00\u2009–\u200918:00."),  # CLDR: thin spaces
    ],
)
async def test_cover_confirms_who_where_and_when_in_the_readers_language(
    desk: SupportDesk, clock: FakeClock, lang: str, expected: str
) -> None:
    clock.set(TUESDAY)
    text = await oncall(desk, actor(desk, "U0JAN", lang), "cover <@U0IVANA> 14:00-18:00 PL", "ivana")

    assert text == expected


async def test_cover_takes_the_region_for_its_window_and_tells_the_people_affected(
    desk: SupportDesk, clock: FakeClock, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    clock.set(TUESDAY)
    jan = actor(desk, "U0JAN")
    await oncall(desk, jan, "cover <@U0IVANA> 14:00-18:00 PL", "ivana")
    await worker.run_once()

    during = await desk.roster.on_duty("PL", at=datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    after = await desk.roster.on_duty("PL", at=datetime(2026, 11, 24, 17, 30, tzinfo=UTC))
    assert (during.people, after.people) == (("ivana",), ("ola",))
    span_hr = "uto, 24. stu 14:00\u2009–\u200918:00"
    span_pl = "wt., 24 lis, 14:00–18:00"
    [to_ivana] = notifier.to_person("U0IVANA")
    assert to_ivana.text == t(
        "hr", "oncall.notice.cover_for_you", where="u regiji PL", span=span_hr, actor="Jan Kowalski"
    )
    [to_ola] = notifier.to_person("U0OLA")
    assert to_ola.text == t(
        "pl",
        "oncall.notice.cover_over_you",
        name="Ivana Horvat",
        where="w regionie PL",
        span=span_pl,
        actor="Jan Kowalski",
    )
    assert notifier.to_person("U0JAN") == []  # who made the change is not told again
    assert [e["kind"] for e in await desk.store.rota_events()] == ["cover"]


async def test_times_name_the_readers_zone_when_the_regions_clocks_differ(
    desk: SupportDesk, clock: FakeClock, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    clock.set(TUESDAY)
    text = await oncall(desk, actor(desk, "U0OLENA", "en"), "cover <@U0JAN> 14:00-18:00 PL", "jan")
    await worker.run_once()

    assert text == "Jan Kowalski is on duty in PL: Tue 24 Nov, 15:00–19:00 (Kyiv)."  # Olena is in Kyiv
    [to_jan] = notifier.to_person("U0JAN")  # Jan reads it in Warsaw, the region's own time: no zone named
    assert to_jan.text == t(
        "pl",
        "oncall.notice.cover_for_you",
        where="w regionie PL",
        span="wt., 24 lis, 14:00–18:00",
        actor="Olena Kovalenko",
    )


async def test_swap_counts_only_once_the_other_person_accepts(
    desk: SupportDesk, clock: FakeClock, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    clock.set(TUESDAY)
    ola = actor(desk, "U0OLA", "pl")
    asked = await oncall(desk, ola, "swap <@U0JAN>", "jan")
    await worker.run_once()

    span = "śr., 25 lis, 09:00 – czw., 26 lis, 09:00"
    assert asked == t("pl", "oncall.swap_asked_done", owner="Jan Kowalski", where="w regionie PL", span=span)
    wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert (await desk.roster.on_duty("PL", at=wednesday)).people == ("jan",)
    [request] = notifier.to_person("U0JAN")
    assert request.text == t(
        "pl", "oncall.notice.swap_asked", name="Ola Wiśniewska", where="w regionie PL", span=span
    )
    accept, decline = request.buttons
    assert (accept.action, decline.action) == (Action.SWAP_ACCEPT, Action.SWAP_DECLINE)
    assert (accept.label, decline.label) == ("Akceptuję", "Odrzucam")

    with pytest.raises(NotAllowed):
        await desk.rota.decide(actor(desk, "U0IVANA"), int(accept.value), accept=True)
    answered = await desk.rota.decide(actor(desk, "U0JAN"), int(accept.value), accept=True)
    again = await desk.rota.decide(actor(desk, "U0JAN"), int(accept.value), accept=False)
    await worker.run_once()

    assert (
        answered.text
        == again.text
        == t("pl", "oncall.swap_you_accepted", name="Ola Wiśniewska", where="w regionie PL", span=span)
    )
    assert answered.buttons == ()
    assert (await desk.roster.on_duty("PL", at=wednesday)).people == ("ola",)
    [told] = notifier.to_person("U0OLA")
    assert told.text == t(
        "pl", "oncall.notice.swap_accepted", owner="Jan Kowalski", where="w regionie PL", span=span
    )
    kinds = [e["kind"] for e in await desk.store.rota_events()]
    assert kinds == ["swap_asked", "swap_accepted"]


async def test_a_declined_swap_changes_nothing_and_the_asker_hears_it(
    desk: SupportDesk, clock: FakeClock, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    clock.set(TUESDAY)
    await oncall(desk, actor(desk, "U0OLA", "en"), "swap <@U0JAN>", "jan")
    await worker.run_once()
    [request] = notifier.to_person("U0JAN")

    answered = await desk.rota.decide(actor(desk, "U0JAN", "en"), int(request.buttons[0].value), accept=False)
    await worker.run_once()

    span = "Wed 25 Nov, 09:00 – Thu 26 Nov, 09:00"
    assert answered.text == f"Declined: you keep your shift in PL: {span}."
    assert (await desk.roster.on_duty("PL", at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC))).people == ("jan",)
    [told] = notifier.to_person("U0OLA")  # in Ola's own language
    assert told.text == t(
        "pl",
        "oncall.notice.swap_declined",
        owner="Jan Kowalski",
        where="w regionie PL",
        span="śr., 25 lis, 09:00 – czw., 26 lis, 09:00",
    )


async def test_a_swap_answered_after_the_shift_is_over_has_lapsed(
    desk: SupportDesk, clock: FakeClock, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    clock.set(TUESDAY)
    await oncall(desk, actor(desk, "U0OLA"), "swap <@U0JAN>", "jan")
    await worker.run_once()
    [request] = notifier.to_person("U0JAN")
    clock.advance(days=3)

    answered = await desk.rota.decide(actor(desk, "U0JAN", "uk"), int(request.buttons[0].value), accept=True)

    assert answered.text.startswith("Зміна у регіоні PL:")
    assert answered.text.endswith("уже минула; запит утратив чинність.")
    assert [e["kind"] for e in await desk.store.rota_events()] == ["swap_asked"]


async def test_swap_needs_a_colleague_with_a_shift(desk: SupportDesk, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as self_swap:
        await oncall(desk, actor(desk, "U0OLA"), "swap <@U0OLA>", "ola")
    with pytest.raises(InvalidInput) as rep:
        await oncall(desk, actor(desk, "U0OLA"), "swap <@U0KASIA>", "kasia")
    assert (self_swap.value.reason_key, rep.value.reason_key) == (
        "invalid.swap_self",
        "invalid.not_coordinator",
    )


async def test_on_after_off_puts_me_on_duty_only_where_i_am_on_the_rota(
    desk: SupportDesk, clock: FakeClock
) -> None:
    clock.set(TUESDAY)  # Ola's day in PL, Olena's week in UA; Jan is on the PL rota and a UA backup
    jan = actor(desk, "U0JAN", "en")
    await oncall(desk, jan, "off")
    text = await oncall(desk, jan, "on")

    assert (await desk.roster.on_duty("PL", at=clock())).people == ("ola", "jan")
    assert (await desk.roster.on_duty("UA", at=clock())).people == ("olena",)
    assert text == "\n".join(
        [
            t("en", "oncall.on_done", regions="PL"),
            t("en", "oncall.on_backup", regions="UA", example="UA"),
        ]
    )


async def test_on_naming_a_region_works_only_where_rostered(desk: SupportDesk, clock: FakeClock) -> None:
    clock.set(TUESDAY)
    jan = actor(desk, "U0JAN")
    await oncall(desk, jan, "on UA")
    assert (await desk.roster.on_duty("UA", at=clock())).people == ("olena", "jan")
    assert (await desk.roster.on_duty("PL", at=clock())).people == ("ola",)

    with pytest.raises(InvalidInput) as refused:
        await oncall(desk, jan, "on HR")
    assert refused.value.reason_key == "invalid.not_rostered"
    with pytest.raises(NotAllowed):
        await oncall(desk, actor(desk, "U0KASIA"), "on")
    assert [e["kind"] for e in await desk.store.rota_events()] == ["on"]


async def test_the_command_line_and_chat_agree_on_who_is_on_duty(
    desk: SupportDesk, clock: FakeClock, config: Config
) -> None:
    clock.set(TUESDAY)
    await oncall(desk, actor(desk, "U0OLA"), "off")
    await oncall(desk, actor(desk, "U0JAN"), "on UA")
    await oncall(desk, actor(desk, "U0JAN"), "cover <@U0TOM> 14:00-18:00 UK", "tom")
    overrides, presence = await stored_state(desk.store, at=clock())
    out = io.StringIO()

    run_now(
        config, now=clock(), region=None, overrides=overrides, presence=presence, out=out, err=io.StringIO()
    )

    lines = {line.split()[0]: line for line in out.getvalue().splitlines()}
    for code in config.regions:
        duty = await desk.roster.on_duty(code, at=clock())
        assert lines[code].split()[1].rstrip(",") == (duty.people[0] if duty.people else "nobody")
        assert ", ".join(duty.people) in lines[code]
    assert "ivana" in lines["PL"]  # Ola is off: the PL backup
    assert "fallback: backup" in lines["PL"]
    assert "olena, jan" in lines["UA"]


async def test_rota_notice_goes_to_the_platform_the_change_came_from(
    desk: SupportDesk, clock: FakeClock, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    clock.set(TUESDAY)
    jan = desk.directory.actor(Identity(Platform.TEAMS, "29:jan"))
    await oncall(desk, jan, "cover <@U0IVANA> 14:00-18:00 PL", "ivana")
    await worker.run_once()

    assert [s.target for s in notifier.sent] == [
        PersonTarget(Platform.TEAMS, "29:ivana"),
        PersonTarget(Platform.TEAMS, "29:ola"),
    ]


async def test_a_pending_swap_counts_once_accepted_and_is_answered_once_on_every_database(
    any_store: Store,
) -> None:
    start, end = TUESDAY, TUESDAY + timedelta(hours=8)
    asked = await any_store.add_override(
        region="PL",
        person=PersonId("ola"),
        start=start,
        end=end,
        actor=PersonId("ola"),
        now=TUESDAY,
        replaces=PersonId("jan"),
        state=OverrideState.PENDING,
    )
    assert await any_store.overrides(ending_after=TUESDAY) == []

    accepted = await any_store.decide_swap(asked.id, accept=True, actor=PersonId("jan"), now=TUESDAY)
    again = await any_store.decide_swap(asked.id, accept=False, actor=PersonId("jan"), now=TUESDAY)

    assert accepted is not None and accepted.state is OverrideState.ACTIVE
    assert again is None
    assert [o.id for o in await any_store.overrides(ending_after=TUESDAY)] == [asked.id]
    await any_store.set_presence(PersonId("jan"), on_duty=True, now=TUESDAY, regions=("UA",))
    assert [(p.person, p.regions) for p in await any_store.presence()] == [("jan", ("UA",))]
