"""Figures from hand-built event histories: first claims, reclaims, reopens, business hours, zones, DST."""

from __future__ import annotations

from datetime import datetime

from bot.models import AskedQuestion, CaseId, CsatAnswer, CsatScore, PersonId, Priority
from bot.reports.figures import Figures, Filters, Inputs, Period, Targets, compute
from bot.reports.history import Timeline
from tests.unit.reports.builders import CONFIG, MINUTE, History, case, utc

WEEK = Period(utc(2026, 11, 23), utc(2026, 11, 30))
NOW = utc(2026, 11, 30)


def figures(*lines: Timeline, now: datetime = NOW, period: Period = WEEK, **inputs: object) -> Figures:
    return compute(Inputs(timelines=lines, **inputs), config=CONFIG, period=period, now=now)  # type: ignore[arg-type]


def test_time_to_claim_counts_from_creation_to_the_first_claim_not_a_reclaim() -> None:
    opened = utc(2026, 11, 24, 10)
    h = History(case(1, created=opened)).claim("jan", opened + 1.1 * MINUTE)
    h.release("jan", opened + 3 * MINUTE).claim("ola", opened + 5.6 * MINUTE)

    f = figures(h.line)

    assert f.total.time_to_claim.p50 == 1.1
    assert f.total.claim_target == Targets(met=1)
    assert f.total.claimed == 1
    assert f.coordinators[PersonId("jan")].claimed == 1
    assert f.coordinators[PersonId("ola")].claimed == 0
    assert f.coordinators[PersonId("jan")].time_to_claim.p50 == 1.1


def test_a_reopen_keeps_the_first_resolution_and_counts_in_the_reopen_rate() -> None:
    opened = utc(2026, 11, 24, 10)
    h = History(case(1, created=opened)).claim("jan", opened + 10 * MINUTE)
    h.resolve("jan", opened + 60 * MINUTE).reopen("kasia", opened + 120 * MINUTE)
    h.claim("jan", opened + 125 * MINUTE).resolve("jan", opened + 180 * MINUTE)
    other = (
        History(case(2, created=opened))
        .claim("ola", opened + 2 * MINUTE)
        .resolve("ola", opened + 30 * MINUTE)
    )

    f = figures(h.line, other.line)

    assert f.total.time_to_resolve.max == 60.0
    assert (f.total.resolved, f.total.reopened, f.total.claimed) == (2, 1, 2)
    assert f.total.reopen_rate == 0.5
    assert f.total.resolve_target == Targets(met=2)


def test_percentiles_take_the_nearest_rank() -> None:
    opened = utc(2026, 11, 24, 10)
    lines = [History(case(i, created=opened)).claim("jan", opened + i * MINUTE).line for i in range(1, 11)]

    d = figures(*lines).total.time_to_claim

    assert (d.n, d.p50, d.p90, d.max) == (10, 5.5, 9.0, 10.0)


def test_business_hours_skip_the_night_the_weekend_and_a_public_holiday() -> None:
    friday = utc(2026, 11, 27, 15, 30)  # 16:30 in Warsaw, half an hour before closing
    over_weekend = History(case(1, created=friday, region="PL")).claim("jan", utc(2026, 11, 30, 8, 30))
    tuesday = utc(2026, 11, 10, 15)  # 16:00 local; Wednesday 11 November is Independence Day
    over_holiday = History(case(2, created=tuesday, region="PL")).claim("jan", utc(2026, 11, 12, 9))

    weekend = figures(over_weekend.line, period=Period(utc(2026, 11, 23), utc(2026, 12, 1)))
    holiday = figures(over_holiday.line, period=Period(utc(2026, 11, 9), utc(2026, 11, 16)))

    assert weekend.total.time_to_claim.p50 == 60.0  # 30 min on Friday + 30 min on Monday
    assert weekend.total.claim_target == Targets(met=1)  # normal: 1 h
    assert weekend.regions["PL"].business_hours
    assert holiday.total.time_to_claim.p50 == 120.0  # 1 h Tuesday + 1 h Thursday, none on the holiday
    assert holiday.total.claim_target == Targets(missed=1)


def test_business_hours_across_the_autumn_clock_change_count_local_opening_hours() -> None:
    friday = utc(2026, 10, 23, 14)  # 16:00 CEST
    monday = utc(2026, 10, 26, 9)  # 10:00 CET, after the clocks went back on Sunday
    h = History(case(1, created=friday, region="PL")).claim("jan", monday)

    f = figures(h.line, period=Period(utc(2026, 10, 19), utc(2026, 10, 27)), now=utc(2026, 10, 27))

    assert f.total.time_to_claim.p50 == 120.0


def test_a_region_without_business_hours_uses_the_wall_clock_and_its_local_day() -> None:
    late = utc(2026, 10, 24, 22, 30)  # already 25 October (01:30) in Kyiv, the night the clocks change
    h = History(case(1, created=late, region="UA")).claim("jan", utc(2026, 10, 25, 1, 30))

    f = figures(h.line, period=Period(utc(2026, 10, 19), utc(2026, 10, 26)), now=utc(2026, 10, 26))

    assert f.total.time_to_claim.p50 == 180.0
    assert [str(d) for d in f.per_day] == ["2026-10-25"]
    assert not f.regions["UA"].business_hours


def test_an_unclaimed_case_is_pending_until_its_target_passes_and_a_cancelled_one_never_misses() -> None:
    opened = utc(2026, 11, 29, 10)
    waiting = History(case(1, created=opened))
    cancelled = History(case(2, created=opened)).cancel("kasia", opened + 5 * MINUTE)

    assert figures(waiting.line, cancelled.line, now=opened + 30 * MINUTE).total.claim_target == Targets(
        pending=1
    )
    late = figures(waiting.line, cancelled.line, now=opened + 90 * MINUTE).total
    assert late.claim_target == Targets(missed=1)
    assert late.cancelled == 1


def test_a_claimed_case_misses_its_resolve_target_counted_from_the_first_claim() -> None:
    opened = utc(2026, 11, 23, 10)
    urgent = History(case(1, created=opened, priority=Priority.URGENT)).claim("jan", opened + MINUTE)

    assert figures(urgent.line, now=opened + 60 * MINUTE).total.resolve_target == Targets(pending=1)
    assert figures(urgent.line, now=opened + 3 * 60 * MINUTE).total.resolve_target == Targets(missed=1)


def test_volumes_count_what_happened_in_the_period_and_times_only_cases_opened_in_it() -> None:
    before = utc(2026, 11, 20, 10)
    old = History(case(1, created=before)).claim("jan", before + MINUTE).resolve("jan", utc(2026, 11, 24))

    f = figures(old.line)

    assert (f.total.opened, f.total.claimed, f.total.resolved) == (0, 0, 1)
    assert f.total.time_to_claim.n == 0


def test_repings_and_escalations_to_supervisors() -> None:
    opened = utc(2026, 11, 24, 10)
    chased = History(case(1, created=opened))
    moved_up = (
        History(case(2, created=opened)).claim("jan", opened + MINUTE).escalate_up("jan", opened + 9 * MINUTE)
    )
    pings = [(1, 0, opened), (1, 1, opened + 15 * MINUTE), (1, 2, opened + 30 * MINUTE), (2, 0, opened)]

    f = figures(chased.line, moved_up.line, pings=pings)

    assert f.total.repings == 2
    assert f.total.to_supervisors == 2


def test_filters_keep_cases_by_region_category_priority_and_coordinator() -> None:
    opened = utc(2026, 11, 24, 10)
    lines = [
        History(case(1, created=opened, region="PL", category="returns")).claim("jan", opened + MINUTE).line,
        History(case(2, created=opened, region="UA", category="refunds", priority=Priority.HIGH)).line,
        History(case(3, created=opened, region="UA"))
        .claim("ola", opened + MINUTE)
        .reassign("ola", "jan", opened + 2 * MINUTE)
        .line,
    ]

    def opened_with(filters: Filters) -> int:
        return compute(Inputs(lines), config=CONFIG, period=WEEK, now=NOW, filters=filters).total.opened

    assert opened_with(Filters(regions=frozenset({"UA"}))) == 2
    assert opened_with(Filters(categories=frozenset({"refunds"}))) == 1
    assert opened_with(Filters(priorities=frozenset({Priority.HIGH}))) == 1
    assert opened_with(Filters(coordinators=frozenset({PersonId("jan")}))) == 2
    assert list(compute(Inputs(lines), config=CONFIG, period=WEEK, now=NOW).regions) == ["PL", "UA"]


def test_csat_is_counted_per_region_and_per_resolving_coordinator() -> None:
    opened = utc(2026, 11, 24, 10)
    pl = (
        History(case(1, created=opened, region="PL"))
        .claim("jan", opened)
        .resolve("jan", opened + 60 * MINUTE)
    )
    ua = History(case(2, created=opened)).claim("ola", opened).resolve("ola", opened + 60 * MINUTE)
    answers = [
        CsatAnswer(CaseId(1), PersonId("kasia"), CsatScore.YES, opened + 90 * MINUTE),
        CsatAnswer(CaseId(2), PersonId("kasia"), CsatScore.NO, opened + 90 * MINUTE, comment="still broken"),
    ]

    f = figures(pl.line, ua.line, csat=answers)

    assert (f.total.csat.yes, f.total.csat.no, f.total.csat.rate) == (1, 1, 0.5)
    assert f.regions["PL"].csat.rate == 1.0
    assert f.coordinators[PersonId("ola")].csat.no == 1


def test_knowledge_figures_group_near_duplicate_unanswered_questions() -> None:
    at = utc(2026, 11, 24, 10)

    def q(i: int, text: str, **kw: object) -> AskedQuestion:
        return AskedQuestion(i, PersonId("kasia"), text, "en", at, **kw)  # type: ignore[arg-type]

    questions = [
        q(1, "Can I return without a receipt?"),
        q(2, "can i return without receipt"),
        q(3, "Return without a receipt?", suggested=True),
        q(4, "Who pays for the courier?", case_id=CaseId(7)),
        q(5, "Refund to a closed card", article_id="refunds", helpful=True),
        q(6, "Refund time", article_id="refunds", helpful=False),
    ]

    k = figures(questions=questions).knowledge

    assert (k.asked, k.answered, k.suggested, k.unanswered, k.escalated) == (6, 2, 1, 4, 1)
    assert k.helpful_rate == 0.5
    assert [(g.count, len(g.variants)) for g in k.top_unanswered] == [(3, 3), (1, 1)]
    assert k.top_not_helpful[0].text == "Refund time"


def test_a_short_question_is_not_grouped_with_every_longer_one_that_contains_its_words() -> None:
    at = utc(2026, 11, 24, 10)
    asked = ["return", "return without receipt to another shop", "where is my parcel", "where is my refund"]
    questions = [AskedQuestion(i, PersonId("kasia"), text, "en", at) for i, text in enumerate(asked)]

    groups = figures(questions=questions).knowledge.top_unanswered

    assert len(groups) == 4
