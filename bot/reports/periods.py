"""Report periods by name (`7d`, `30d`, `week`, `month`, `today`), in the viewer's time zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.oncall.calendar import local_instant
from bot.reports.figures import Period

NAMES = ("7d", "30d", "week", "month", "today")
_DAYS = re.compile(r"^(\d{1,3})d$")
_TICK = timedelta(microseconds=1)  # periods "up to now" include what happens at `now`


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return local_instant(day, time(0, 0), zone)


def period_for(name: str, *, now: datetime, zone: ZoneInfo) -> Period:
    """The period a name means at `now`; ValueError for any other name.

    `Nd` is the last N x 24 hours up to and including now; `today` is local midnight up to now; `week` is the last
    full Monday-to-Monday week and `month` the last full calendar month, local midnight to midnight
    (so a DST week is 167 or 169 hours long).
    """
    name = name.strip().lower()
    today = now.astimezone(zone).date()
    if match := _DAYS.match(name):
        days = int(match[1])
        if 1 <= days <= 366:
            return Period(now - timedelta(days=days), now + _TICK)
    if name == "today":
        return Period(_midnight(today, zone), now + _TICK)
    if name == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(_midnight(monday - timedelta(days=7), zone), _midnight(monday, zone))
    if name == "month":
        first = today.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        return Period(_midnight(previous, zone), _midnight(first, zone))
    raise ValueError(f"unknown period {name!r}: use one of {', '.join(NAMES)}")


def week_before(period: Period) -> Period:
    """The period of the same length just before `period` (the digest's comparison)."""
    return Period(period.start - (period.end - period.start), period.start)
