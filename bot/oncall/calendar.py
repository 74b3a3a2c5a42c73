"""Public-holiday calendars and business-hours arithmetic in a region's local time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from bot.config import WEEKDAYS, WorkingHours

# A calendar with no working day at all would make "add 5 minutes of business time" loop forever;
# after this many consecutive days without a working window we give up and say so.
_MAX_IDLE_DAYS = 400


class HolidayCalendar:
    """Public holidays of one country (ISO code, e.g. `PL`), computed a year at a time and cached.

    `extra` adds company-specific closed days. Ukraine currently has no public holidays under
    martial law, which the `holidays` library reflects: its calendar is empty for those years.
    """

    __slots__ = ("_extra", "_years", "country")

    def __init__(self, country: str, *, extra: Iterable[date] = ()) -> None:
        self.country = country.upper()
        self._extra = frozenset(extra)
        self._years: dict[int, frozenset[date]] = {}
        holidays_lib.country_holidays(self.country)  # fail now on an unknown country code

    def is_holiday(self, day: date) -> bool:
        return day in self._extra or day in self._year(day.year)

    def _year(self, year: int) -> frozenset[date]:
        cached = self._years.get(year)
        if cached is None:
            cached = frozenset(holidays_lib.country_holidays(self.country, years=year))
            self._years[year] = cached
        return cached

    def __repr__(self) -> str:
        return f"HolidayCalendar({self.country!r})"


@lru_cache(maxsize=64)
def calendar_for(country: str) -> HolidayCalendar:
    """The shared, cached calendar of a country code; what callers use when they pass no calendar."""
    return HolidayCalendar(country)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Wall-clock `day at` in `zone` as a UTC instant.

    A wall time skipped by a spring-forward change is moved forward by the gap (02:30 -> 03:30);
    a repeated autumn wall time means its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def working_windows(
    start: datetime, *, hours: WorkingHours, zone: ZoneInfo, holidays: HolidayCalendar | None
) -> Iterator[tuple[datetime, datetime]]:
    """Working windows `[open, close)` in UTC, in order, from the one still open at `start` on (endless).

    A window is `hours.start`-`hours.end` local time on each of `hours.days` that is not a holiday;
    on a DST-change day it is shorter or longer in real time, never shifted.
    """
    days = {WEEKDAYS.index(d) for d in hours.days}
    day = start.astimezone(zone).date() - timedelta(days=1)
    idle = 0
    while idle < _MAX_IDLE_DAYS:
        if day.weekday() in days and not (holidays and holidays.is_holiday(day)):
            opens, closes = local_instant(day, hours.start, zone), local_instant(day, hours.end, zone)
            if closes > start:
                idle = 0
                yield opens, closes
        idle += 1
        day += timedelta(days=1)
    raise ValueError(f"no working hours in {_MAX_IDLE_DAYS} days: {hours.days} {hours.start}-{hours.end}")


def is_working_time(
    at: datetime, *, hours: WorkingHours, zone: ZoneInfo, holidays: HolidayCalendar | None
) -> bool:
    opens, _ = next(working_windows(at, hours=hours, zone=zone, holidays=holidays))
    return opens <= at


def add_business_time(
    start: datetime,
    duration: timedelta,
    *,
    hours: WorkingHours,
    zone: ZoneInfo,
    holidays: HolidayCalendar | None = None,
) -> datetime:
    """The instant at which `duration` of working time has passed since `start` (UTC in, UTC out).

    The clock runs only inside working windows; outside them it waits for the next opening. A zero
    duration is `start` itself, even outside working hours (the first ping is never held back).
    """
    if duration <= timedelta(0):
        return start.astimezone(UTC)
    remaining = duration
    for opens, closes in working_windows(start, hours=hours, zone=zone, holidays=holidays):
        cursor = max(opens, start)
        if cursor + remaining <= closes:
            return cursor + remaining
        remaining -= closes - cursor
    raise AssertionError("working_windows is endless or raises")  # pragma: no cover


def business_time_between(
    start: datetime,
    end: datetime,
    *,
    hours: WorkingHours,
    zone: ZoneInfo,
    holidays: HolidayCalendar | None = None,
) -> timedelta:
    """How much working time lies in `[start, end)`; zero when `end` is not after `start`."""
    total = timedelta(0)
    if end <= start:
        return total
    for opens, closes in working_windows(start, hours=hours, zone=zone, holidays=holidays):
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return total
