"""Holiday calendars and business-hours arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import WorkingHours
from bot.oncall.calendar import (
    HolidayCalendar,
    add_business_time,
    business_time_between,
    calendar_for,
    is_working_time,
    local_instant,
)

WARSAW = ZoneInfo("Europe/Warsaw")
OFFICE = WorkingHours(days=("mon", "tue", "wed", "thu", "fri"), start=time(8), end=time(18))


def warsaw(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=WARSAW).astimezone(UTC)


def test_polish_independence_day_is_a_holiday_and_the_next_day_is_not() -> None:
    pl = HolidayCalendar("pl")
    assert pl.is_holiday(date(2026, 11, 11))
    assert not pl.is_holiday(date(2026, 11, 12))


def test_calendar_answers_for_any_year() -> None:
    pl = HolidayCalendar("PL")
    assert pl.is_holiday(date(2027, 1, 1))
    assert pl.is_holiday(date(2031, 12, 25))


def test_extra_company_days_are_holidays() -> None:
    hr = HolidayCalendar("HR", extra=[date(2026, 7, 3)])
    assert hr.is_holiday(date(2026, 7, 3))
    assert not HolidayCalendar("HR").is_holiday(date(2026, 7, 3))


def test_unknown_country_code_is_rejected_at_construction() -> None:
    with pytest.raises(NotImplementedError):
        HolidayCalendar("XX")


def test_calendar_for_shares_one_calendar_per_country() -> None:
    assert calendar_for("PL") is calendar_for("PL")


def test_skipped_spring_wall_time_moves_forward_by_the_gap() -> None:
    assert local_instant(date(2026, 3, 29), time(2, 30), WARSAW) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_business_time_within_one_working_day_is_plain_addition() -> None:
    start = warsaw(2026, 3, 10, 9)
    assert add_business_time(start, timedelta(hours=2), hours=OFFICE, zone=WARSAW) == warsaw(2026, 3, 10, 11)


def test_business_clock_pauses_overnight() -> None:
    start = warsaw(2026, 3, 10, 17, 55)
    due = add_business_time(start, timedelta(minutes=10), hours=OFFICE, zone=WARSAW)
    assert due == warsaw(2026, 3, 11, 8, 5)


def test_business_clock_pauses_over_the_weekend() -> None:
    start = warsaw(2026, 3, 13, 17, 30)  # a Friday
    due = add_business_time(start, timedelta(hours=1), hours=OFFICE, zone=WARSAW)
    assert due == warsaw(2026, 3, 16, 8, 30)


def test_business_clock_pauses_on_a_public_holiday() -> None:
    start = warsaw(2026, 11, 10, 17, 0)  # the day before Independence Day
    due = add_business_time(
        start, timedelta(hours=2), hours=OFFICE, zone=WARSAW, holidays=HolidayCalendar("PL")
    )
    assert due == warsaw(2026, 11, 12, 9, 0)


def test_business_clock_started_at_night_begins_at_opening() -> None:
    start = warsaw(2026, 3, 10, 3, 0)
    assert add_business_time(start, timedelta(minutes=5), hours=OFFICE, zone=WARSAW) == warsaw(
        2026, 3, 10, 8, 5
    )


def test_business_clock_keeps_local_opening_time_across_the_spring_change() -> None:
    start = warsaw(2026, 3, 27, 17, 0)  # Friday before the Sunday change
    due = add_business_time(start, timedelta(hours=2), hours=OFFICE, zone=WARSAW)
    assert due == warsaw(2026, 3, 30, 9, 0)
    assert due == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_zero_business_time_is_the_start_even_at_night() -> None:
    start = warsaw(2026, 3, 14, 23, 0)
    assert add_business_time(start, timedelta(0), hours=OFFICE, zone=WARSAW) == start


def test_business_time_between_counts_only_working_hours() -> None:
    between = business_time_between(
        warsaw(2026, 3, 13, 17), warsaw(2026, 3, 16, 9), hours=OFFICE, zone=WARSAW
    )
    assert between == timedelta(hours=2)


def test_business_time_between_is_the_inverse_of_adding_it() -> None:
    start = warsaw(2026, 3, 12, 16, 20)
    for minutes in (1, 90, 600, 3000):
        end = add_business_time(start, timedelta(minutes=minutes), hours=OFFICE, zone=WARSAW)
        assert business_time_between(start, end, hours=OFFICE, zone=WARSAW) == timedelta(minutes=minutes)


def test_business_time_between_is_zero_when_end_precedes_start() -> None:
    assert business_time_between(
        warsaw(2026, 3, 12, 12), warsaw(2026, 3, 12, 10), hours=OFFICE, zone=WARSAW
    ) == (timedelta(0))


def test_is_working_time_at_opening_but_not_at_closing() -> None:
    assert is_working_time(warsaw(2026, 3, 12, 8), hours=OFFICE, zone=WARSAW, holidays=None)
    assert not is_working_time(warsaw(2026, 3, 12, 18), hours=OFFICE, zone=WARSAW, holidays=None)
    assert not is_working_time(warsaw(2026, 3, 14, 12), hours=OFFICE, zone=WARSAW, holidays=None)


def test_hours_with_no_working_day_fail_instead_of_looping() -> None:
    never = WorkingHours(days=(), start=time(8), end=time(18))
    with pytest.raises(ValueError, match="no working hours"):
        add_business_time(warsaw(2026, 3, 12, 12), timedelta(minutes=1), hours=never, zone=WARSAW)
