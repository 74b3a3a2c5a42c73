"""/report on Slack through the fake Web API: the summary in the person's DM and language, the charts
uploaded with files.getUploadURLExternal + files.completeUploadExternal as valid PNGs, the CSV, the
supervisor's App Home, and the CSAT buttons that record one answer per case."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import t
from bot.models import CsatScore
from bot.reports.charts import PNG_SIGNATURE
from tests.adapters.slack.rig import GENERAL, JAN, KASIA, MARIA, Rig, block_text
from tests.adapters.slack.test_cases import card_now, escalate


async def test_report_posts_the_summary_in_the_dm_and_uploads_the_charts_as_png(rig: Rig) -> None:
    card = await escalate(rig)
    rig.clock.advance(seconds=66)
    await rig.click(JAN, card_now(rig, card), "case.claim")
    rig.clock.advance(minutes=1)

    await rig.command(JAN, "/report", "7d PL")

    [summary] = [m for m in rig.ws.history(rig.dm(JAN)) if m.blocks and m.blocks[0]["type"] == "header"]
    text = block_text(summary.blocks)
    assert "PL" in text and "1,1 min" in text  # Jan reads Polish: decimal comma
    assert t("pl", "report.col.resolved") in text
    urls = rig.api.calls_to("files.getUploadURLExternal")
    assert [c.args["filename"] for c in urls] == ["cases-per-day.png", "time-to-claim.png"]
    [complete] = rig.api.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == rig.dm(JAN)
    files = list(rig.api.files.values())
    assert all(f.data is not None and f.data.startswith(PNG_SIGNATURE) for f in files)
    assert all(f.data is not None and len(f.data) == f.length for f in files)
    images = [b for m in rig.ws.history(rig.dm(JAN)) for b in m.blocks if b["type"] == "image"]
    assert len(images) == 2  # the workspace shows the uploaded charts


async def test_report_csv_uploads_cases_and_events(rig: Rig) -> None:
    await escalate(rig)

    await rig.command(MARIA, "/report", "csv")

    names = [c.args["filename"] for c in rig.api.calls_to("files.getUploadURLExternal")]
    assert [n.split("-")[0] for n in names] == ["cases", "events"]
    cases = next(f for f in rig.api.files.values() if f.name.startswith("cases"))
    assert cases.data is not None and b"CS-1" in cases.data


async def test_reps_are_refused_and_coordinators_see_only_their_regions(rig: Rig) -> None:
    await rig.command(KASIA, "/report")
    await rig.command(JAN, "/report", "week HR")

    assert t("pl", "error.not_allowed.role") in rig.ephemeral_texts(KASIA)
    [refused] = rig.ephemeral_texts(JAN)
    assert refused == t("pl", "report.unknown_region", region="HR", regions="PL, UA")
    assert rig.api.calls_to("files.getUploadURLExternal") == []


async def test_report_with_an_unknown_word_shows_the_usage(rig: Rig) -> None:
    await rig.command(JAN, "/report", "yesterday please", channel=GENERAL)

    assert rig.ephemeral_texts(JAN) == [t("pl", "report.usage")]


async def test_the_supervisors_app_home_shows_unclaimed_and_overdue_per_region(rig: Rig) -> None:
    await escalate(rig, priority="urgent")
    rig.clock.advance(minutes=5)

    await rig.deliver(rig.ws.open_home(MARIA))

    text = block_text(rig.ws.homes[MARIA].view["blocks"])
    assert t("en", "home.supervisor.title") in text
    assert t("en", "home.supervisor.region", unclaimed=1, overdue=1) in text


async def test_csat_buttons_record_one_answer_per_case_which_the_requester_can_change(rig: Rig) -> None:
    card = await escalate(rig)
    await rig.click(JAN, card_now(rig, card), "case.claim")
    await rig.click(JAN, card_now(rig, card), "case.resolve")
    await rig.submit(JAN, {"note": "Refunded to card"})
    [question] = [m for m in rig.ws.history(rig.dm(KASIA)) if "csat.yes" in str(m.blocks)]
    assert question.text.startswith(t("pl", "csat.question", case="CS-1"))

    await rig.click(KASIA, question, "csat.no")
    await rig.click(KASIA, question, "csat.no")
    await rig.click(KASIA, question, "csat.yes")

    store = rig.services.store
    day = timedelta(days=1)
    answers = await store.csat_between(rig.clock() - day, rig.clock() + day)
    assert [(a.case_id, a.score) for a in answers] == [(1, CsatScore.YES)]
    thanks = [m.text for m in rig.ws.history(rig.dm(KASIA)) if m.text.startswith("Dziękujemy")]
    assert len(thanks) == 3


async def test_an_escalation_started_from_a_question_counts_in_the_knowledge_figures(rig: Rig) -> None:
    dm = rig.dm(KASIA)
    await rig.say(KASIA, dm, "What is the airspeed velocity of an unladen swallow on Mars?")
    await rig.click(KASIA, rig.ws.history(dm)[-1], "kb.escalate")
    await rig.submit(KASIA, {"details": "asked in the shop"})

    day = timedelta(days=1)
    [question] = await rig.services.store.questions_between(rig.clock() - day, rig.clock() + day)
    assert question.case_id == 1
