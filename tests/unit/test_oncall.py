"""Rotas: layers, DST handoffs, restrictions, holidays, overrides, presence, gaps and fallback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.config import Region, RotaLayer, WorkingHours
from bot.models import Person, PersonId, Role
from bot.oncall.calendar import HolidayCalendar
from bot.oncall.rota import (
    Fallback,
    Override,
    Presence,
    gaps,
    next_shift_of,
    scheduled_shifts,
    who_is_on_duty,
)

WARSAW = "Europe/Warsaw"
OFFICE = WorkingHours(start=time(8), end=time(18))


def local(zone: str, y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def on_day(zone: str, day: date, h: int = 0, mi: int = 0) -> datetime:
    return local(zone, day.year, day.month, day.day, h, mi)


def layer(people: tuple[str, ...], **kwargs: object) -> RotaLayer:
    return RotaLayer.model_validate({"people": people, **kwargs})


def region(*layers: RotaLayer, zone: str = WARSAW, **kwargs: object) -> Region:
    return Region.model_validate(
        {
            "name": "Test",
            "timezone": zone,
            "layers": layers,
            "backup": ("bea",),
            "supervisors": ("sam",),
            **kwargs,
        }
    )


def on_duty(
    reg: Region,
    at: datetime,
    *,
    overrides: Sequence[Override] = (),
    presence: Sequence[Presence] = (),
    people: Mapping[PersonId, Person] | None = None,
    holidays: HolidayCalendar | None = None,
) -> tuple[str, ...]:
    found = who_is_on_duty(
        "PL", reg, at=at, overrides=overrides, presence=presence, people=people, holidays=holidays
    )
    return found.people


DAILY = layer(("ann", "ben"), shift="1d", handoff="09:00", start=date(2026, 1, 5))


# --- rotation ---------------------------------------------------------------------------------


def test_daily_layer_hands_off_at_the_local_handoff_time_in_order() -> None:
    reg = region(DAILY)
    assert on_duty(reg, local(WARSAW, 2026, 1, 5, 9)) == ("ann",)
    assert on_duty(reg, local(WARSAW, 2026, 1, 6, 8, 59)) == ("ann",)
    assert on_duty(reg, local(WARSAW, 2026, 1, 6, 9)) == ("ben",)
    assert on_duty(reg, local(WARSAW, 2026, 1, 7, 9)) == ("ann",)


def test_weekly_layer_hands_off_on_its_weekday_after_the_start_date() -> None:
    reg = region(
        layer(
            ("ann", "ben", "cal"), shift="1w", handoff="10:00", handoff_weekday="wed", start=date(2026, 1, 5)
        )
    )
    assert on_duty(reg, local(WARSAW, 2026, 1, 7, 10)) == ("ann",)  # first Wednesday on or after Mon 5 Jan
    assert on_duty(reg, local(WARSAW, 2026, 1, 14, 9, 59)) == ("ann",)
    assert on_duty(reg, local(WARSAW, 2026, 1, 14, 10)) == ("ben",)
    assert on_duty(reg, local(WARSAW, 2026, 1, 28, 10)) == ("ann",)


def test_rotation_extends_backwards_before_the_anchor() -> None:
    assert on_duty(region(DAILY), local(WARSAW, 2026, 1, 5, 8, 59)) == ("ben",)


def test_higher_layer_wins_when_both_have_someone() -> None:
    reg = region(DAILY, layer(("zoe",), shift="1w"))
    assert on_duty(reg, local(WARSAW, 2026, 3, 10, 12)) == ("zoe",)


def test_lower_layer_serves_when_the_higher_one_is_restricted_off() -> None:
    reg = region(DAILY, layer(("zoe",), shift="1w", restrict=OFFICE))
    assert on_duty(reg, local(WARSAW, 2026, 3, 10, 12)) == ("zoe",)  # Tuesday noon
    assert on_duty(reg, local(WARSAW, 2026, 3, 10, 20)) in {("ann",), ("ben",)}
    assert on_duty(reg, local(WARSAW, 2026, 3, 14, 12)) in {("ann",), ("ben",)}  # Saturday


def test_restricted_layer_alone_leaves_nights_to_the_backup() -> None:
    duty = who_is_on_duty("PL", region(layer(("zoe",), restrict=OFFICE)), at=local(WARSAW, 2026, 3, 10, 19))
    assert (duty.people, duty.fallback) == (("bea",), Fallback.BACKUP)


# --- daylight saving ---------------------------------------------------------------------------

DST_CASES = [
    (zone, change, hours)
    for zone in ("Europe/Warsaw", "Europe/Kyiv", "Europe/Zagreb")
    for change, hours in ((date(2026, 3, 29), 23), (date(2026, 10, 25), 25))
]


@pytest.mark.parametrize(("zone", "change", "hours"), DST_CASES)
def test_daily_handoff_stays_at_nine_local_across_the_change(zone: str, change: date, hours: int) -> None:
    reg = region(DAILY, zone=zone)
    start, end = on_day(zone, change - timedelta(days=3)), on_day(zone, change + timedelta(days=3))
    shifts = scheduled_shifts("PL", reg, start=start, end=end)
    inner = shifts[1:-1]
    assert all(s.start.astimezone(ZoneInfo(zone)).time() == time(9) for s in inner)
    assert all(a.end == b.start for a, b in pairwise(shifts))  # no gap, no overlap
    lengths = {s.start.astimezone(ZoneInfo(zone)).date(): s.end - s.start for s in inner}
    assert lengths[change - timedelta(days=1)] == timedelta(hours=hours)
    assert lengths[change] == timedelta(hours=24)


@pytest.mark.parametrize(("zone", "change", "hours"), DST_CASES)
def test_who_is_on_duty_switches_at_nine_local_on_both_sides(zone: str, change: date, hours: int) -> None:
    reg = region(DAILY, zone=zone)
    for day in (change - timedelta(days=1), change, change + timedelta(days=1)):
        before = on_duty(reg, on_day(zone, day, 8, 59))
        after = who_is_on_duty("PL", reg, at=on_day(zone, day, 9))
        assert before != after.people
        assert after.next_handoff == on_day(zone, day + timedelta(days=1), 9)


@pytest.mark.parametrize(("zone", "change", "hours"), DST_CASES)
def test_weekly_rota_across_the_change_keeps_its_monday_handoff(zone: str, change: date, hours: int) -> None:
    reg = region(layer(("ann", "ben"), shift="1w", handoff="09:00", handoff_weekday="mon"), zone=zone)
    monday_before, monday_after = change - timedelta(days=6), change + timedelta(days=1)
    week = scheduled_shifts(
        "PL", reg, start=on_day(zone, change - timedelta(days=9)), end=on_day(zone, monday_after, 12)
    )
    assert [s.start for s in week[1:]] == [on_day(zone, monday_before, 9), on_day(zone, monday_after, 9)]
    assert week[1].end - week[1].start == timedelta(days=7, hours=hours - 24)


def test_layer_zone_differs_from_the_region_zone() -> None:
    kyiv_layer = layer(
        ("ann", "ben"), shift="1d", handoff="09:00", timezone="Europe/Kyiv", start=date(2026, 1, 5)
    )
    reg = region(kyiv_layer, zone=WARSAW)
    duty = who_is_on_duty("PL", reg, at=local(WARSAW, 2026, 1, 5, 8, 0))  # 09:00 in Kyiv
    assert duty.people == ("ann",)
    assert duty.next_handoff == local(WARSAW, 2026, 1, 6, 8, 0)


def test_layer_in_new_york_follows_new_york_dst_not_the_regions() -> None:
    ny = layer(
        ("ann", "ben"), shift="1d", handoff="09:00", timezone="America/New_York", start=date(2026, 1, 5)
    )
    reg = region(ny, zone=WARSAW)  # the US changes on 8 March, Europe on 29 March
    shifts = scheduled_shifts("PL", reg, start=local(WARSAW, 2026, 3, 6), end=local(WARSAW, 2026, 3, 12))
    warsaw_times = [s.start.astimezone(ZoneInfo(WARSAW)).time() for s in shifts[1:]]
    assert warsaw_times == [time(15), time(15), time(14), time(14), time(14), time(14)]


# --- holidays ----------------------------------------------------------------------------------


def test_holiday_closes_a_layer_that_skips_holidays() -> None:
    reg = region(DAILY, layer(("zoe",), restrict=OFFICE, skip_holidays=True), holidays="PL")
    independence_day = local(WARSAW, 2026, 11, 11, 12)
    assert on_duty(reg, independence_day) in {("ann",), ("ben",)}
    assert on_duty(reg, local(WARSAW, 2026, 11, 12, 12)) == ("zoe",)


def test_holiday_without_restriction_closes_the_whole_local_day() -> None:
    reg = region(layer(("zoe",), skip_holidays=True), holidays="PL")
    found = gaps("PL", reg, start=local(WARSAW, 2026, 11, 9), end=local(WARSAW, 2026, 11, 16))
    assert found == [(local(WARSAW, 2026, 11, 11), local(WARSAW, 2026, 11, 12))]


def test_explicit_calendar_overrides_the_regions_country() -> None:
    company = HolidayCalendar("PL", extra=[date(2026, 3, 10)])
    reg = region(layer(("zoe",), skip_holidays=True), holidays="PL")
    assert on_duty(reg, local(WARSAW, 2026, 3, 10, 12), holidays=company) == ("bea",)
    assert on_duty(reg, local(WARSAW, 2026, 3, 10, 12)) == ("zoe",)


def test_layer_that_ignores_holidays_stays_on() -> None:
    reg = region(layer(("zoe",)), holidays="PL")
    assert on_duty(reg, local(WARSAW, 2026, 11, 11, 12)) == ("zoe",)


# --- overrides ---------------------------------------------------------------------------------

TUE_NOON = local(WARSAW, 2026, 3, 10, 12)


def test_cover_takes_the_region_for_its_window_only() -> None:
    cover = Override(
        "PL", PersonId("kim"), start=local(WARSAW, 2026, 3, 10, 11), end=local(WARSAW, 2026, 3, 10, 14)
    )
    reg = region(DAILY)
    assert on_duty(reg, TUE_NOON, overrides=[cover]) == ("kim",)
    assert on_duty(reg, local(WARSAW, 2026, 3, 10, 14), overrides=[cover]) != ("kim",)


def test_cover_for_another_region_is_ignored() -> None:
    cover = Override(
        "UA", PersonId("kim"), start=TUE_NOON - timedelta(hours=1), end=TUE_NOON + timedelta(hours=1)
    )
    assert on_duty(region(DAILY), TUE_NOON, overrides=[cover]) != ("kim",)


def test_swap_replaces_only_the_named_person() -> None:
    reg = region(DAILY)
    current = on_duty(reg, TUE_NOON)[0]
    other = "ben" if current == "ann" else "ann"
    window = (TUE_NOON - timedelta(hours=1), TUE_NOON + timedelta(hours=1))
    swap = Override("PL", PersonId("kim"), *window, replaces=PersonId(current))
    idle_swap = Override("PL", PersonId("lee"), *window, replaces=PersonId(other))
    assert on_duty(reg, TUE_NOON, overrides=[swap, idle_swap]) == ("kim",)


def test_swap_over_next_shift_puts_the_taker_on_for_that_turn() -> None:
    reg = region(DAILY)
    turn = next_shift_of("PL", reg, PersonId("ben"), after=local(WARSAW, 2026, 1, 5, 10))
    assert turn is not None
    assert (turn.start, turn.end) == (local(WARSAW, 2026, 1, 6, 9), local(WARSAW, 2026, 1, 7, 9))
    swap = Override("PL", PersonId("kim"), turn.start, turn.end, replaces=PersonId("ben"))
    assert on_duty(reg, local(WARSAW, 2026, 1, 6, 15), overrides=[swap]) == ("kim",)
    assert on_duty(reg, local(WARSAW, 2026, 1, 7, 9), overrides=[swap]) == ("ann",)


def test_next_shift_of_a_person_on_duty_now_is_the_rest_of_their_turn() -> None:
    turn = next_shift_of("PL", region(DAILY), PersonId("ann"), after=local(WARSAW, 2026, 1, 5, 10))
    assert turn is not None
    assert (turn.start, turn.end) == (local(WARSAW, 2026, 1, 5, 10), local(WARSAW, 2026, 1, 6, 9))


def test_next_shift_of_someone_not_on_the_rota_is_none() -> None:
    assert next_shift_of("PL", region(DAILY), PersonId("kim"), after=TUE_NOON) is None


# --- presence ----------------------------------------------------------------------------------

PEOPLE = {
    PersonId("kim"): Person(PersonId("kim"), "Kim", Role.COORDINATOR, regions=("PL",)),
    PersonId("uma"): Person(PersonId("uma"), "Uma", Role.COORDINATOR, regions=("UA",)),
}


def test_stepping_away_leaves_the_backup_on_duty() -> None:
    reg = region(layer(("zoe",)))
    away = Presence(PersonId("zoe"), on_duty=False, since=TUE_NOON - timedelta(minutes=5))
    duty = who_is_on_duty("PL", reg, at=TUE_NOON, presence=[away])
    assert (duty.people, duty.fallback) == (("bea",), Fallback.BACKUP)


def test_cover_whose_person_stepped_away_gives_the_region_back_to_the_rota() -> None:
    reg = region(layer(("zoe",)))
    cover = Override("PL", PersonId("kim"), TUE_NOON - timedelta(hours=1), TUE_NOON + timedelta(hours=1))
    away = Presence(PersonId("kim"), on_duty=False, since=TUE_NOON - timedelta(minutes=5))
    assert on_duty(reg, TUE_NOON, overrides=[cover]) == ("kim",)
    assert on_duty(reg, TUE_NOON, overrides=[cover], presence=[away]) == ("zoe",)


def test_backup_who_stepped_away_is_skipped_for_the_supervisors() -> None:
    reg = region(layer(("zoe",)))
    away = [Presence(PersonId(p), on_duty=False, since=TUE_NOON) for p in ("zoe", "bea")]
    duty = who_is_on_duty("PL", reg, at=TUE_NOON, presence=away)
    assert (duty.people, duty.fallback) == (("sam",), Fallback.SUPERVISORS)


def test_im_on_adds_a_region_member_beside_the_rota() -> None:
    here = Presence(PersonId("kim"), on_duty=True, since=TUE_NOON)
    assert on_duty(region(layer(("zoe",))), TUE_NOON, presence=[here], people=PEOPLE) == ("zoe", "kim")


def test_im_on_from_someone_outside_the_region_changes_nothing() -> None:
    here = Presence(PersonId("uma"), on_duty=True, since=TUE_NOON)
    assert on_duty(region(layer(("zoe",))), TUE_NOON, presence=[here], people=PEOPLE) == ("zoe",)


def test_latest_presence_wins_and_expires_at_until() -> None:
    reg = region(layer(("zoe",)))
    records = [
        Presence(PersonId("zoe"), on_duty=False, since=TUE_NOON - timedelta(hours=2)),
        Presence(PersonId("zoe"), on_duty=True, since=TUE_NOON - timedelta(hours=1)),
        Presence(PersonId("zoe"), on_duty=False, since=TUE_NOON, until=TUE_NOON + timedelta(minutes=30)),
    ]
    assert on_duty(reg, TUE_NOON - timedelta(minutes=30), presence=records) == ("zoe",)
    duty = who_is_on_duty("PL", reg, at=TUE_NOON, presence=records)
    assert duty.people == ("bea",)
    assert duty.next_handoff == TUE_NOON + timedelta(minutes=30)


# --- fallback and gaps -------------------------------------------------------------------------


def test_region_without_layers_falls_back_to_backup_then_supervisors() -> None:
    assert who_is_on_duty("PL", region(), at=TUE_NOON).fallback is Fallback.BACKUP
    no_backup = region(backup=())
    duty = who_is_on_duty("PL", no_backup, at=TUE_NOON)
    assert (duty.people, duty.fallback) == (("sam",), Fallback.SUPERVISORS)


def test_single_person_around_the_clock_has_no_next_handoff() -> None:
    assert who_is_on_duty("PL", region(layer(("zoe",))), at=TUE_NOON).next_handoff is None


def test_gaps_of_an_office_hours_rota_are_nights_and_weekend() -> None:
    reg = region(layer(("zoe",), restrict=OFFICE))
    found = gaps("PL", reg, start=local(WARSAW, 2026, 3, 12, 12), end=local(WARSAW, 2026, 3, 17, 12))
    assert found == [
        (local(WARSAW, 2026, 3, 12, 18), local(WARSAW, 2026, 3, 13, 8)),
        (local(WARSAW, 2026, 3, 13, 18), local(WARSAW, 2026, 3, 16, 8)),
        (local(WARSAW, 2026, 3, 16, 18), local(WARSAW, 2026, 3, 17, 8)),
    ]


def test_cover_shrinks_a_gap() -> None:
    reg = region(layer(("zoe",), restrict=OFFICE))
    cover = Override("PL", PersonId("kim"), local(WARSAW, 2026, 3, 12, 18), local(WARSAW, 2026, 3, 12, 22))
    found = gaps(
        "PL", reg, start=local(WARSAW, 2026, 3, 12, 12), end=local(WARSAW, 2026, 3, 13, 12), overrides=[cover]
    )
    assert found == [(local(WARSAW, 2026, 3, 12, 22), local(WARSAW, 2026, 3, 13, 8))]


def test_around_the_clock_rota_has_no_gaps_across_dst() -> None:
    found = gaps("PL", region(DAILY), start=local(WARSAW, 2026, 3, 20), end=local(WARSAW, 2026, 11, 1))
    assert found == []


def test_twelve_hour_shifts_keep_nine_and_twenty_one_local_across_the_autumn_change() -> None:
    reg = region(layer(("ann", "ben"), shift="12h", handoff="09:00", start=date(2026, 1, 5)))
    shifts = scheduled_shifts(
        "PL", reg, start=local(WARSAW, 2026, 10, 24, 12), end=local(WARSAW, 2026, 10, 26, 12)
    )
    inner = shifts[1:-1]
    assert [s.start.astimezone(ZoneInfo(WARSAW)).hour for s in inner] == [21, 9, 21]
    assert [s.end - s.start for s in inner] == [timedelta(hours=h) for h in (13, 12, 12)]
    assert all(a.end == b.start for a, b in pairwise(shifts))
