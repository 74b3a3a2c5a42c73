"""Reports through the real desk, store and job worker: first claims, re-pings, CSAT, the CLI table."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from app.cli import build_parser
from app.commands.report import run_report
from bot.cases.desk import SupportDesk
from bot.errors import NotAllowed
from bot.models import CsatScore, Identity, Platform
from bot.reports.figures import Period, Targets
from bot.timers.worker import JobWorker
from tests.fakes.clock import FakeClock
from tests.fakes.recording_notifier import RecordingNotifier

URGENT_PL = {
    "summary": "Customer waits for a refund",
    "priority": "urgent",
    "category": "refunds",
    "region": "PL",
}
KASIA, JAN, OLA = (Identity(Platform.SLACK, u) for u in ("U0KASIA", "U0JAN", "U0OLA"))


async def test_a_release_and_reclaim_does_not_move_the_time_to_first_claim(
    desk: SupportDesk, clock: FakeClock, worker: JobWorker
) -> None:
    start = clock()
    rep, jan, ola = (desk.directory.actor(i) for i in (KASIA, JAN, OLA))
    case = (await desk.escalate(rep, URGENT_PL, client_key="a")).case
    await worker.run_once()
    clock.advance(seconds=66)
    await desk.claim(jan, case.id)
    clock.set(start + timedelta(minutes=3))
    await desk.release(jan, case.id)
    await worker.run_once()
    clock.set(start + timedelta(minutes=5.6))
    await worker.run_once()  # the chain restarted at the release: its re-ping is due
    await desk.claim(ola, case.id)
    clock.advance(minutes=10)

    f = await desk.reports.figures(Period(start, clock()))

    assert f.total.time_to_claim.p50 == 1.1  # the case row says 5.6 - the latest claim
    assert f.total.claim_target == Targets(met=1)
    assert f.total.claimed == 1
    assert f.total.repings >= 1


async def test_the_cli_prints_a_readable_table_in_polish_and_json_for_scripts(
    desk: SupportDesk, clock: FakeClock
) -> None:
    start = clock()
    rep, jan = desk.directory.actor(KASIA), desk.directory.actor(JAN)
    case = (await desk.escalate(rep, URGENT_PL, client_key="a")).case
    clock.advance(seconds=66)
    await desk.claim(jan, case.id)
    await desk.ask(rep, "who won the football match yesterday")
    clock.advance(minutes=1)

    text = await run_report(
        build_parser().parse_args(["report", "--lang", "pl"]),
        store=desk.store,
        config=desk.config,
        now=clock(),
    )
    data = json.loads(
        await run_report(
            build_parser().parse_args(["report", "--json"]), store=desk.store, config=desk.config, now=clock()
        )
    )

    assert "Czas do pierwszego przejęcia" in text
    assert "1,1 min" in text
    assert "Jan Kowalski" in text
    assert "{'PL'" not in text and "1 cases" not in text
    assert data["total"]["time_to_claim"]["p50"] == 1.1
    assert data["regions"]["PL"]["opened"] == 1
    assert data["knowledge"]["unanswered"] == 1
    assert data["period"]["start"] == str(start - timedelta(days=7) + timedelta(minutes=1, seconds=66))


def read_files(paths: list[str]) -> list[str]:
    return [Path(p).read_text(encoding="utf-8") for p in paths]


async def test_csv_export_writes_cases_and_events_and_defuses_formulas(
    desk: SupportDesk, clock: FakeClock, tmp_path: Path
) -> None:
    rep = desk.directory.actor(KASIA)
    case = (await desk.escalate(rep, URGENT_PL, client_key="a")).case
    await desk.add_note(rep, case.id, note="=HYPERLINK(evil)")
    clock.advance(minutes=1)

    args = build_parser().parse_args(["report", "--csv", str(tmp_path)])
    printed = await run_report(args, store=desk.store, config=desk.config, now=clock())

    cases, events = read_files(printed.splitlines())
    assert cases.splitlines()[1].startswith("CS-1,")
    assert ",escalated," in events.splitlines()[1]
    assert events.splitlines()[2].endswith(",'=HYPERLINK(evil)")


async def test_the_requester_is_asked_once_per_resolution_and_can_change_the_answer(
    desk: SupportDesk, clock: FakeClock, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    rep, jan = desk.directory.actor(KASIA), desk.directory.actor(JAN)
    case = (await desk.escalate(rep, URGENT_PL, client_key="a")).case
    await desk.claim(jan, case.id)
    await desk.resolve(jan, case.id, note="refunded")
    await worker.run_once()

    [question] = [r for r in notifier.to_person("U0KASIA") if r.buttons and "CS-1" in r.text]
    assert question.text == "Sprawa CS-1 została rozwiązana. Czy to rozwiązało problem?"
    assert [b.label for b in question.buttons] == ["Tak", "Częściowo", "Nie", "Dodaj komentarz"]

    await desk.csat.answer(rep, case.id, CsatScore.NO)
    await desk.csat.answer(rep, case.id, CsatScore.NO)
    await desk.csat.answer(rep, case.id, CsatScore.PARTLY, comment="refund came, the voucher did not")
    with pytest.raises(NotAllowed):
        await desk.csat.answer(jan, case.id, CsatScore.YES)

    answers = await desk.store.csat_between(clock() - timedelta(days=1), clock() + timedelta(days=1))
    assert [(a.score, a.comment) for a in answers] == [(CsatScore.PARTLY, "refund came, the voucher did not")]
    details = await desk.details(jan, case.id)
    assert details.context[-1] == "Odpowiedź zgłaszającego: Częściowo: refund came, the voucher did not"
