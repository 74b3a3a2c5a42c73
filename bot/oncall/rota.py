"""Who is on duty in a region at an instant: rota layers, overrides, presence and fallback (pure).

Rules, in order of strength:
1. Each layer rotates its people in order, one shift each, from the layer's anchor: the first
   `handoff` (local time) on or after its `start` date, on `handoff_weekday` when the shift is a
   whole number of weeks. Handoffs are wall-clock times in the layer's zone (`layer.timezone`, or
   the region's), so a 09:00 handoff stays at 09:00 across daylight-saving changes; the shift that
   contains the change is an hour shorter or longer, never a gap or an overlap. The rotation runs
   backwards from the anchor too, so a rota has no beginning.
2. `restrict` keeps a layer on only within those working hours; `skip_holidays` closes it on the
   region's public holidays (local dates in the layer's zone).
3. Later layers in the list are higher and win whenever they have someone on.
4. Overrides win over layers: a swap (`replaces=P`) puts its person wherever P would be on duty in its
   window; a cover (`replaces=None`) takes the whole region for its window (several covers: all of them).
5. Presence: "/oncall off" removes a person from duty and from the backup list (an override whose
   person is off is ignored); "/oncall on" ends that and adds the person to the people on duty only
   where they are rostered: the regions it names (`Presence.regions`) among those whose layers or
   backup list they are on, or, naming none, the regions whose layers they are on. A backup who says
   "/oncall on" without naming the region stays a backup there. The latest record per person wins.
6. Nobody on duty -> the backup list, then the supervisors; `OnDuty.fallback` says which.

All instants are timezone-aware; results are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from bot.config import WEEKDAYS, Region, RotaLayer
from bot.models import PersonId
from bot.oncall.calendar import HolidayCalendar, calendar_for, local_instant, working_windows

# How far ahead `who_is_on_duty` looks for the next change of the people on duty.
HANDOFF_HORIZON = timedelta(days=62)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Override:
    """`person` is on in `region` for `[start, end)`: a cover (replaces=None) or a swap for `replaces`."""

    region: str
    person: PersonId
    start: datetime
    end: datetime
    replaces: PersonId | None = None

    def active(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True, slots=True)
class Presence:
    """A person's own "/oncall on|off" from `since`, until `until` (None: until they change it).

    `regions` (for "on") are the regions they put themselves on duty in; None: wherever they are on a layer.
    """

    person: PersonId
    on_duty: bool
    since: datetime
    until: datetime | None = None
    regions: tuple[str, ...] | None = None

    def active(self, at: datetime) -> bool:
        return self.since <= at and (self.until is None or at < self.until)


class Fallback(StrEnum):
    NONE = "none"
    BACKUP = "backup"
    SUPERVISORS = "supervisors"


@dataclass(frozen=True, slots=True)
class OnDuty:
    """Who to ping in `region` now; `next_handoff` is when that set of people next changes (or None)."""

    region: str
    people: tuple[PersonId, ...]
    fallback: Fallback
    next_handoff: datetime | None


@dataclass(frozen=True, slots=True)
class Shift:
    """`person` holds `layer` (its name) for `[start, end)`."""

    person: PersonId
    layer: str
    start: datetime
    end: datetime


def layer_zone(region: Region, layer: RotaLayer) -> ZoneInfo:
    return ZoneInfo(layer.timezone or region.timezone)


def _anchor(layer: RotaLayer) -> datetime:
    """The naive local wall time of the layer's first handoff."""
    day = layer.start
    if layer.shift % timedelta(weeks=1) == timedelta(0):
        day += timedelta(days=(WEEKDAYS.index(layer.handoff_weekday) - day.weekday()) % 7)
    return datetime.combine(day, layer.handoff)


class _Turns:
    """The rotation of one layer: turn k starts at wall time anchor + k * shift (k may be negative)."""

    def __init__(self, layer: RotaLayer, zone: ZoneInfo) -> None:
        if layer.shift <= timedelta(0):
            raise ValueError(f"layer {layer.name!r}: shift must be positive")
        self.layer, self.zone, self.anchor = layer, zone, _anchor(layer)

    def start_of(self, k: int) -> datetime:
        wall = self.anchor + k * self.layer.shift
        return local_instant(wall.date(), wall.time(), self.zone)

    def index_at(self, at: datetime) -> int:
        """The turn holding `at`: start_of(k) <= at < start_of(k + 1)."""
        wall = at.astimezone(self.zone).replace(tzinfo=None)
        k = (wall - self.anchor) // self.layer.shift
        while self.start_of(k + 1) <= at:
            k += 1
        while self.start_of(k) > at:
            k -= 1
        return k

    def person(self, k: int) -> PersonId:
        return PersonId(self.layer.people[k % len(self.layer.people)])

    def between(self, start: datetime, end: datetime) -> Iterator[Shift]:
        """Whole turns overlapping `[start, end)`, unclipped."""
        k = self.index_at(start)
        while (begins := self.start_of(k)) < end:
            ends = self.start_of(k + 1)
            if ends > begins:
                yield Shift(self.person(k), self.layer.name, begins, ends)
            k += 1


def _holidays_of(region: Region, holidays: HolidayCalendar | None) -> HolidayCalendar | None:
    if holidays is not None:
        return holidays
    return calendar_for(region.holidays) if region.holidays else None


def _open_intervals(
    layer: RotaLayer, zone: ZoneInfo, start: datetime, end: datetime, holidays: HolidayCalendar | None
) -> list[Interval]:
    """When the layer is open in `[start, end)`: its restricted hours and/or the non-holiday days."""
    closed_on = holidays if layer.skip_holidays else None
    if layer.restrict is None and closed_on is None:
        return [(start, end)]
    out: list[Interval] = []
    if layer.restrict is not None:
        for opens, closes in working_windows(start, hours=layer.restrict, zone=zone, holidays=closed_on):
            if opens >= end:
                break
            out.append((max(opens, start), min(closes, end)))
        return out
    assert closed_on is not None
    day = start.astimezone(zone).date()
    while (midnight := local_instant(day, time(0), zone)) < end:
        if not closed_on.is_holiday(day):
            opens, closes = (
                max(midnight, start),
                min(local_instant(day + timedelta(days=1), time(0), zone), end),
            )
            if out and out[-1][1] == opens:
                out[-1] = (out[-1][0], closes)
            elif opens < closes:
                out.append((opens, closes))
        day += timedelta(days=1)
    return out


def _layer_shifts(
    region: Region, layer: RotaLayer, start: datetime, end: datetime, holidays: HolidayCalendar | None
) -> list[Shift]:
    zone = layer_zone(region, layer)
    open_intervals = _open_intervals(layer, zone, start, end, holidays)
    shifts: list[Shift] = []
    for turn in _Turns(layer, zone).between(start, end):
        for opens, closes in open_intervals:
            s, e = max(opens, turn.start), min(closes, turn.end)
            if s < e:
                shifts.append(Shift(turn.person, turn.layer, s, e))
    return shifts


def scheduled_shifts(
    code: str, region: Region, *, start: datetime, end: datetime, holidays: HolidayCalendar | None = None
) -> list[Shift]:
    """Every layer's on-duty time in `[start, end)` (clipped to it, to restricted hours and to open days),
    sorted by start then layer order. Overrides and presence are not applied; see `who_is_on_duty`."""
    del code  # the schedule depends on the region's rota only; kept for a uniform call shape
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    cal = _holidays_of(region, holidays)
    ranked = [
        (shift.start, i, shift)
        for i, layer in enumerate(region.layers)
        for shift in _layer_shifts(region, layer, start, end, cal)
    ]
    return [shift for _, _, shift in sorted(ranked, key=lambda r: (r[0], r[1]))]


def next_shift_of(
    code: str, region: Region, person: PersonId, *, after: datetime, holidays: HolidayCalendar | None = None
) -> Shift | None:
    """The person's rotation turn in progress at `after` (from `after` on), or else their next one.

    This is the whole turn, ignoring `restrict` and holidays: a swap over it (`Override(replaces=person)`)
    covers exactly the hours the person would have been on. None if they are on no layer of the region.
    """
    del code, holidays
    after = after.astimezone(UTC)
    best: Shift | None = None
    for layer in region.layers:
        if person not in layer.people:
            continue
        horizon = after + layer.shift * (len(layer.people) + 1)
        turns = _Turns(layer, layer_zone(region, layer))
        turn = next((t for t in turns.between(after, horizon) if t.person == person and t.end > after), None)
        if turn is not None and (best is None or turn.start < best.start):
            best = Shift(person, layer.name, max(turn.start, after), turn.end)
    return best


def _rota_at(region: Region, at: datetime, holidays: HolidayCalendar | None) -> PersonId | None:
    """The person of the highest layer that is on at `at`, if any."""
    for layer in reversed(region.layers):
        shifts = _layer_shifts(region, layer, at, at + timedelta(microseconds=1), holidays)
        if shifts:
            return shifts[0].person
    return None


def on_layers(region: Region) -> set[PersonId]:
    """Everyone on one of the region's rota layers."""
    return {PersonId(p) for layer in region.layers for p in layer.people}


def rostered(region: Region) -> set[PersonId]:
    """Everyone the region may put on duty: its layers and its backup list."""
    return on_layers(region) | {PersonId(p) for p in region.backup}


def _presence_at(presence: Sequence[Presence], at: datetime) -> dict[PersonId, Presence]:
    latest: dict[PersonId, Presence] = {}
    for record in presence:
        if record.active(at) and (record.person not in latest or record.since >= latest[record.person].since):
            latest[record.person] = record
    return latest


def _stepped_in(code: str, region: Region, states: dict[PersonId, Presence]) -> list[PersonId]:
    """People who said "/oncall on" for this region and are rostered in it (rule 5)."""
    layers, allowed = on_layers(region), rostered(region)
    return sorted(
        pid
        for pid, record in states.items()
        if record.on_duty
        and (pid in layers if record.regions is None else code in record.regions and pid in allowed)
    )


def _on_duty_at(
    code: str,
    region: Region,
    at: datetime,
    *,
    overrides: Sequence[Override],
    presence: Sequence[Presence],
    holidays: HolidayCalendar | None,
) -> tuple[tuple[PersonId, ...], Fallback]:
    states = _presence_at(presence, at)

    def here(pid: PersonId) -> bool:
        return pid not in states or states[pid].on_duty

    # An override whose person has stepped away is ignored: the rota (or the swapped person) serves.
    active = sorted(
        (o for o in overrides if o.region == code and o.active(at) and here(o.person)),
        key=lambda o: o.start,
    )
    covers = [o.person for o in active if o.replaces is None]
    on: list[PersonId] = []
    if covers:
        on = covers
    elif (person := _rota_at(region, at, holidays)) is not None:
        swaps = [o.person for o in active if o.replaces == person]
        on = [swaps[-1] if swaps else person]
    on += _stepped_in(code, region, states)
    duty = tuple(dict.fromkeys(pid for pid in on if here(pid)))
    if duty:
        return duty, Fallback.NONE
    backup = tuple(PersonId(p) for p in region.backup if here(PersonId(p)))
    if backup:
        return backup, Fallback.BACKUP
    return tuple(PersonId(p) for p in region.supervisors), Fallback.SUPERVISORS


def _change_points(
    region: Region,
    start: datetime,
    end: datetime,
    overrides: Sequence[Override],
    presence: Sequence[Presence],
    holidays: HolidayCalendar | None,
) -> list[datetime]:
    """Instants in `(start, end)` where the answer may change; between two of them it cannot."""
    points = {
        t
        for s in scheduled_shifts("", region, start=start, end=end, holidays=holidays)
        for t in (s.start, s.end)
    }
    points |= {t for o in overrides for t in (o.start, o.end)}
    points |= {t for p in presence for t in (p.since, p.until) if t is not None}
    return sorted(t for t in points if start < t < end)


def who_is_on_duty(
    code: str,
    region: Region,
    *,
    at: datetime,
    overrides: Sequence[Override] = (),
    presence: Sequence[Presence] = (),
    holidays: HolidayCalendar | None = None,
) -> OnDuty:
    """Who to ping in region `code` at `at` (see the module rules), and when that next changes.

    `holidays` defaults to the calendar of `region.holidays`.
    """
    at = at.astimezone(UTC)
    cal = _holidays_of(region, holidays)
    now = _on_duty_at(code, region, at, overrides=overrides, presence=presence, holidays=cal)
    next_handoff = None
    for point in _change_points(region, at, at + HANDOFF_HORIZON, overrides, presence, cal):
        later = _on_duty_at(code, region, point, overrides=overrides, presence=presence, holidays=cal)
        if later != now:
            next_handoff = point
            break
    return OnDuty(code, now[0], now[1], next_handoff)


def gaps(
    code: str,
    region: Region,
    *,
    start: datetime,
    end: datetime,
    overrides: Sequence[Override] = (),
    holidays: HolidayCalendar | None = None,
) -> list[Interval]:
    """The stretches of `[start, end)` with nobody on the rota or an override: when a fallback is paged."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    cal = _holidays_of(region, holidays)
    points = [start, *_change_points(region, start, end, overrides, (), cal), end]
    out: list[Interval] = []
    for s, e in pairwise(points):
        _, fallback = _on_duty_at(code, region, s, overrides=overrides, presence=(), holidays=cal)
        if fallback is Fallback.NONE:
            continue
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out
