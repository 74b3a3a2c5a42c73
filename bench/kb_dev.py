"""The kb-dev development set (../shared/datasets/kb-dev): its queries, and its scorer's tallies.

The tallies are the scorer's own code (`score.py`'s `Tally`, loaded from the data set), so the
benchmark and the test count exactly as `score.py` does.
"""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

KB_DEV = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "kb-dev"


@dataclass(frozen=True, slots=True)
class DevQuery:
    text: str
    lang: str
    expect: str | None
    kind: str


def dev_queries(dev: Path = KB_DEV) -> list[DevQuery]:
    rows = [json.loads(line) for line in (dev / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    return [DevQuery(r["q"], r["lang"], r["expect"], r["kind"]) for r in rows if r]


def scorer(dev: Path = KB_DEV) -> ModuleType:
    """The data set's `score.py` as a module."""
    spec = importlib.util.spec_from_file_location("kb_dev_score", dev / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tallies(
    queries: Iterable[DevQuery], answers: Iterable[tuple[str | None, list[str]]], dev: Path = KB_DEV
) -> dict[str, Any]:
    """Tallies by language, by kind and in total, from (answer id, top-3 ids) per query."""
    score = scorer(dev)
    by_lang: dict[str, Any] = defaultdict(score.Tally)
    by_kind: dict[str, Any] = defaultdict(score.Tally)
    total = score.Tally()
    for q, (got, top3) in zip(queries, answers, strict=True):
        for tally in (by_lang[q.lang], by_kind[q.kind], total):
            tally.add(q.expect, got, top3)
    return {"lang": dict(by_lang), "kind": dict(by_kind), "total": total}


def summary(total: Any) -> str:
    """The scorer's `dev summary:` line."""

    def brief(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "-"

    return (
        f"top-1 right {brief(total.top1, total.answerable)} of answerable, "
        f"top-3 hit {brief(total.top3, total.answerable)}, wrong answers {brief(total.wrong, total.n)} of all, "
        f"out-of-scope rejected {brief(total.rejected, total.oos)}"
    )
