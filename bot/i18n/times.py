"""Times as a person reads them: in their own zone, in their language's date format (Babel, CLDR data),
with their zone named when the time is about a place whose clocks differ from theirs.

Every instant the bot shows a person goes through here; stored instants are UTC. Times of day are
24-hour in every language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_interval, format_skeleton, get_timezone_location

from bot.i18n import language_of
from bot.i18n.languages import language
from bot.models import Actor

UTC_ZONE = "UTC"


@cache
def zone(name: str | None) -> ZoneInfo:
    """The zone called `name`; UTC for None or a name the tz database does not know."""
    try:
        return ZoneInfo(name or UTC_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(UTC_ZONE)


def known_zone(name: str | None) -> str | None:
    """`name` when the tz database knows it, else None (platforms sometimes send nothing or junk)."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads a time: their language (formats, names of days and months) and their zone."""

    lang: str
    zone: str = UTC_ZONE

    @property
    def locale(self) -> str:
        return language(language_of(self.lang)).locale


def reader_of(actor: Actor) -> Reader:
    """How the person acting reads times: the language of this request, and their zone."""
    return Reader(actor.language, actor.person.timezone)


def _differs(at: datetime, reader: Reader, place: str | None) -> bool:
    """Whether the reader could misread `at` as the place's local time: the two offsets differ then."""
    if place is None:
        return False
    return at.astimezone(zone(reader.zone)).utcoffset() != at.astimezone(zone(place)).utcoffset()


@cache
def zone_label(name: str, locale: str) -> str:
    """The reader's zone as their language names its city: "Warszawa", "Лондон", "UTC"."""
    if name == UTC_ZONE:
        return UTC_ZONE
    return str(get_timezone_location(zone(name), locale=locale, return_city=True))


def _with_zone(text: str, at: datetime, reader: Reader, place: str | None) -> str:
    return f"{text} ({zone_label(reader.zone, reader.locale)})" if _differs(at, reader, place) else text


def _date_time(date: str, time: str, locale: str) -> str:
    pattern = str(Locale.parse(locale).datetime_formats["medium"])
    return pattern.replace("{1}", date).replace("{0}", time)


def when(at: datetime, reader: Reader, *, place: str | None = None, weekday: bool = True) -> str:
    """`at` as the reader writes a day and time: "Tue, Nov 24, 09:00", "wt., 24 lis, 09:00".

    `place` is the zone of what the time is about (a region's rota, a case's region): when its clocks
    differ from the reader's at that instant, the reader's zone is named after the time.
    """
    local = at.astimezone(zone(reader.zone))
    day = format_skeleton("MMMEd" if weekday else "MMMd", local, locale=reader.locale)
    text = _date_time(day, format_skeleton("Hm", local, locale=reader.locale), reader.locale)
    return _with_zone(text, at, reader, place)


def span(start: datetime, end: datetime, reader: Reader, *, place: str | None = None) -> str:
    """`[start, end)` in the reader's format: "Tue, Nov 24, 09:00 – 13:00" within a day,
    "Tue, Nov 24, 09:00 – Wed, Nov 25, 09:00" across days; the zone is named as in `when`."""
    tz = zone(reader.zone)
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() == last.date():
        day = format_skeleton("MMMEd", first, locale=reader.locale)
        hours = format_interval(first, last, "Hm", locale=reader.locale)
        text = _date_time(day, hours, reader.locale)
    else:
        text = f"{when(start, reader)} – {when(end, reader)}"
    return _with_zone(text, start, reader, place)
