"""Reports: volumes, time to claim and to resolve, missed claim targets and unanswered questions."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.cases.desk import SupportDesk
from bot.models import Identity, Platform
from bot.reports.figures import render_report
from tests.fakes.clock import FakeClock

FORM = {"summary": "Customer waits for a refund", "priority": "urgent", "category": "refunds", "region": "PL"}


async def test_report_counts_cases_durations_and_unanswered_questions(
    desk: SupportDesk, clock: FakeClock
) -> None:
    rep = desk.directory.actor(Identity(Platform.SLACK, "U0KASIA"))
    jan = desk.directory.actor(Identity(Platform.SLACK, "U0JAN"))
    fast = (await desk.escalate(rep, FORM, client_key="a")).case
    slow = (await desk.escalate(rep, {**FORM, "region": "UA", "priority": "low"}, client_key="b")).case
    await desk.escalate(rep, {**FORM, "region": "UA"}, client_key="c")
    clock.advance(minutes=1)
    await desk.claim(jan, fast.id)
    clock.advance(minutes=9)
    await desk.resolve(jan, fast.id, note="refunded")
    await desk.claim(jan, slow.id)
    await desk.ask(rep, "who won the football match yesterday")
    await desk.ask(rep, "who won the football match yesterday")
    clock.advance(minutes=20)

    report = json.loads(await render_report(desk.store, desk.config, days=7, now=clock(), as_json=True))

    assert report["cases"] == 3
    assert report["by_region"] == {"UA": 2, "PL": 1}
    assert report["by_status"] == {"claimed": 1, "resolved": 1, "open": 1}
    assert report["time_to_claim"] == {"n": 2, "median": 5.5, "p90": 10.0, "max": 10.0}
    assert report["time_to_resolve"] == {"n": 1, "median": 10.0, "p90": 10.0, "max": 10.0}
    # urgent claim target is 2 min: the UA urgent case (still open after 30 min) missed it; the low one did not
    assert report["claim_target_missed"] == 1
    assert report["questions"]["asked"] == 2
    assert report["questions"]["unanswered"] == [["who won the football match yesterday", "en", 2]]


async def test_text_report_is_readable(desk: SupportDesk, clock: FakeClock) -> None:
    text = await render_report(desk.store, desk.config, days=7, now=clock() + timedelta(days=1))
    assert "cases: 0" in text
    assert "time to claim: -" in text
