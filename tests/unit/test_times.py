"""Times shown to people: their zone, their language's formats (Babel), the zone named where a region's
clocks differ; the zone of each person; a case's history read in it; reassignments that say to whom."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cases.desk import SupportDesk
from bot.i18n import t
from bot.i18n.times import Reader, span, when
from bot.models import Identity, PersonId, Platform
from tests.unit.test_desk import FORM

ROOT = Path(__file__).resolve().parents[2]
NOON = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw, 13:00 in Kyiv, 11:00 in London


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        (Reader("en", "Europe/London"), "Tue 24 Nov, 11:00 (London)"),
        (Reader("pl", "Europe/Warsaw"), "wt., 24 lis, 12:00"),
        (Reader("uk", "Europe/Kyiv"), "вт, 24 лист., 13:00 (Kyiv)"),
        (Reader("hr", "Europe/Zagreb"), "uto, 24. stu 12:00"),
        (Reader("pl", "Europe/London"), "wt., 24 lis, 11:00 (Londyn)"),
    ],
)
def test_a_time_reads_in_the_readers_zone_and_language_naming_the_zone_when_the_place_differs(
    reader: Reader, expected: str
) -> None:
    assert when(NOON, reader, place="Europe/Warsaw") == expected


def test_a_span_repeats_the_day_only_when_it_changes() -> None:
    reader = Reader("en", "Europe/Warsaw")
    evening = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    next_morning = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert span(NOON, evening, reader) == "Tue 24 Nov, 12:00–18:00"
    assert span(NOON, next_morning, reader) == "Tue 24 Nov, 12:00 – Wed 25 Nov, 09:00"


def test_a_person_without_a_zone_gets_the_platforms_then_their_regions(desk: SupportDesk) -> None:
    configured = desk.actor(Identity(Platform.SLACK, "U0JAN"), timezone="America/New_York")
    stranger = desk.actor(Identity(Platform.SLACK, "U0NEW"), timezone="Asia/Tokyo")
    unknown_zone = desk.actor(Identity(Platform.SLACK, "U0NEW2"), timezone="Mars/Olympus")
    assert configured.person.timezone == "Europe/Warsaw"  # the configuration wins
    assert stranger.person.timezone == "Asia/Tokyo"
    assert unknown_zone.person.timezone == "Europe/Warsaw"  # the default region's


async def test_case_history_is_in_the_readers_zone_and_says_to_whom_it_was_reassigned(
    desk: SupportDesk,
) -> None:
    rep = desk.actor(Identity(Platform.SLACK, "U0KASIA"))
    jan = desk.actor(Identity(Platform.SLACK, "U0JAN"))
    case = (await desk.escalate(rep, FORM, client_key="k1")).case
    await desk.claim(jan, case.id)
    await desk.reassign(jan, case.id, to=PersonId("ola"))

    in_warsaw = await desk.details(jan, case.id)
    tom = desk.actor(Identity(Platform.SLACK, "U0TOM"))  # London, English
    in_london = await desk.details(tom, case.id)

    assert in_warsaw.context[-1] == t(
        "pl",
        "case.history_line",
        at="23 lis, 11:00",
        who="Jan Kowalski",
        what="przekazanie: Ola Wiśniewska",
        note="",
    )
    assert in_london.context[-1] == "23 Nov, 10:00 (London) · Jan Kowalski · reassigned to Ola Wiśniewska"


def test_the_readme_documents_every_oncall_form() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    usage = t("en", "oncall.usage").removeprefix("Use: ").split(" · ")
    assert len(usage) == 6
    for form in usage:
        as_written = f"`{form.replace('[REGION]', '[PL]').replace('REGION', 'PL')}`"
        both = (f"`{form.replace(' [REGION]', '')}`", f"`{form.replace('[REGION]', 'PL')}`")
        assert as_written in readme or all(f in readme for f in both), form
