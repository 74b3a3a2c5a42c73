"""/oncall commands: the forms that parse, and changes that are audited (thread commands: test_thread_commands)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cases.desk import SupportDesk
from bot.commands import OncallSyntaxError, OncallVerb, parse_oncall, run_oncall
from bot.models import Identity, PersonId, Platform
from tests.fakes.clock import FakeClock


def test_oncall_forms() -> None:
    regions = ("PL", "UA")
    assert parse_oncall("", regions=regions).verb is OncallVerb.SHOW
    assert parse_oncall("pl", regions=regions).region == "PL"
    assert parse_oncall("off", regions=regions).verb is OncallVerb.OFF
    cover = parse_oncall("cover <@U0OLA> 14:00-18:30 UA", mentions=(PersonId("ola"),), regions=regions)
    assert (cover.person, cover.region, str(cover.start), str(cover.end)) == (
        "ola",
        "UA",
        "14:00:00",
        "18:30:00",
    )
    with pytest.raises(OncallSyntaxError):
        parse_oncall("cover 14:00-18:00", regions=regions)
    with pytest.raises(OncallSyntaxError):
        parse_oncall("cover <@U0OLA> 25:00-26:00", mentions=(PersonId("ola"),), regions=regions)
    with pytest.raises(OncallSyntaxError):
        parse_oncall("dance", regions=regions)


async def test_cover_puts_a_person_on_duty_for_the_window_and_is_audited(
    desk: SupportDesk, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # Monday 11:00 in Warsaw
    jan = desk.directory.actor(Identity(Platform.SLACK, "U0JAN"))
    before = await desk.roster.on_duty("PL", at=datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert "ivana" not in before.people
    command = parse_oncall("cover <@U0IVANA> 14:00-18:00 PL", mentions=(PersonId("ivana"),), regions=("PL",))
    reply = await run_oncall(command, desk=desk, actor=jan)
    assert "Ivana Horvat" in reply.text
    during = await desk.roster.on_duty("PL", at=datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    after = await desk.roster.on_duty("PL", at=datetime(2026, 11, 23, 17, 30, tzinfo=UTC))
    assert "ivana" in during.people
    assert "ivana" not in after.people
    audit = await desk.store.rota_events()
    assert [(e["kind"], e["actor"], e["detail"]["person"]) for e in audit] == [("cover", "jan", "ivana")]


async def test_off_removes_me_from_duty_and_reps_cannot_change_the_rota(
    desk: SupportDesk, clock: FakeClock
) -> None:
    duty = await desk.roster.on_duty("PL", at=clock())
    person = desk.directory.person(duty.people[0])
    me = desk.directory.actor(Identity(Platform.SLACK, person.user_id(Platform.SLACK) or ""))
    await run_oncall(parse_oncall("off"), desk=desk, actor=me)
    assert person.id not in (await desk.roster.on_duty("PL", at=clock())).people
    rep = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    from bot.errors import NotAllowed

    with pytest.raises(NotAllowed):
        await run_oncall(parse_oncall("on"), desk=desk, actor=rep)
    assert [e["kind"] for e in await desk.store.rota_events()] == ["off"]


async def test_swap_takes_the_next_shift_of_a_colleague(desk: SupportDesk, clock: FakeClock) -> None:
    ola = desk.directory.actor(Identity(Platform.SLACK, "U0OLA"))
    reply = await run_oncall(parse_oncall("swap <@U0JAN>", mentions=(PersonId("jan"),)), desk=desk, actor=ola)
    assert "Jan Kowalski" in reply.text
    events = await desk.store.rota_events()
    assert (events[0]["kind"], events[0]["detail"]["replaces"]) == ("swap", "jan")
    shift_start = datetime.fromisoformat(events[0]["detail"]["start"])
    duty = await desk.roster.on_duty("PL", at=shift_start)
    assert "ola" in duty.people
    assert "jan" not in duty.people
