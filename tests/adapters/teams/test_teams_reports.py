"""Teams end to end: `report` answers with a summary card and each chart as an image card (a valid PNG
data URI), a rep is refused, and the CSAT buttons record one changeable answer per case."""

from __future__ import annotations

import base64

from bot.i18n import t
from bot.models import CaseId, CsatScore
from bot.reports.charts import PNG_SIGNATURE
from tests.adapters.teams.conftest import Teams
from tests.adapters.teams.test_teams_flows import open_case


async def test_report_sends_the_summary_and_each_chart_as_an_image_card(teams: Teams) -> None:
    thread, post = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread, reply_to=post.result_id)
    teams.connector.clear()

    await teams.say("report 7d PL", user="jan")

    summary, *charts = teams.connector.of("reply")
    facts = next(item for item in summary.card["body"] if item["type"] == "FactSet")["facts"]
    assert facts[0]["title"] == "PL"
    assert t("pl", "report.col.resolved") in [f["title"] for f in facts]
    assert len(charts) == 2
    for chart in charts:
        [image] = [item for item in chart.card["body"] if item["type"] == "Image"]
        head, _, data = image["url"].partition(",")
        assert head == "data:image/png;base64"
        assert len(image["url"]) < 28_000  # a Teams message holds about 28 KB
        assert base64.b64decode(data).startswith(PNG_SIGNATURE)


async def test_report_is_refused_to_a_rep(teams: Teams) -> None:
    await teams.say("report", user="kasia")

    [reply] = teams.connector.of("reply")
    assert reply.texts == [t("pl", "error.not_allowed.role")]


async def test_csat_buttons_record_one_answer_per_case(teams: Teams) -> None:
    thread, post = await open_case(teams)
    await teams.click("case.claim", {"value": "1"}, user="jan", conversation=thread, reply_to=post.result_id)
    form = await teams.click("case.resolve", {"value": "1"}, user="jan", conversation=thread)
    resolve = form["value"]["actions"][0]["data"]
    await teams.click("form.resolve", {**resolve, "note": "Zwrot na kartę"}, user="jan", conversation=thread)
    await teams.drain()
    questions = [c for c in teams.connector.calls if "csat.yes" in str(c.body)]
    assert len(questions) == 1
    assert questions[0].texts[0] == t("pl", "csat.question", case="CS-1")

    first = await teams.click("csat.no", {"value": "1"}, user="kasia", conversation="a:personal-kasia")
    await teams.click("csat.no", {"value": "1"}, user="kasia", conversation="a:personal-kasia")
    form = await teams.click("csat.comment", {"value": "1"}, user="kasia", conversation="a:personal-kasia")
    context = form["value"]["actions"][0]["data"]
    await teams.click(
        "form.csat_comment",
        {**context, "score": "partly", "comment": "Zwrot dotarł, bon nie"},
        user="kasia",
        conversation="a:personal-kasia",
    )
    refused = await teams.click("csat.yes", {"value": "1"}, user="jan", conversation="a:personal-jan")

    answer = await teams.services.store.csat_of(CaseId(1))
    assert answer is not None
    assert (answer.score, answer.comment) == (CsatScore.PARTLY, "Zwrot dotarł, bon nie")
    assert first["value"] == t("pl", "csat.thanks", case="CS-1", score="Nie")
    assert refused["value"] == t("pl", "error.not_allowed.not_requester")
