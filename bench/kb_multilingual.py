"""Scores the project's own multilingual test queries (tests/unit/knowledge/queries.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.search import KnowledgeBase

QUERIES = Path(__file__).resolve().parents[1] / "tests" / "unit" / "knowledge" / "queries.yaml"


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def score_multilingual(kb: KnowledgeBase) -> list[str]:
    """Markdown table rows: per language, answered right / wrong / abstained, OOS abstained."""
    rows = ["| lang | in-scope | answered right | answered wrong | abstained | out-of-scope abstained |"]
    rows.append("|---|---|---|---|---|---|")
    by_lang: dict[str, list[dict[str, Any]]] = {}
    for item in load_queries():
        by_lang.setdefault(item["lang"], []).append(item)
    for lang, items in by_lang.items():
        right = wrong = abstained = oos = oos_ok = 0
        for item in items:
            result = kb.search(item["q"], lang_hint=None)
            got = result.answer.id if result.answer else None
            if item["expect"] is None:
                oos += 1
                oos_ok += got is None
            elif got is None:
                abstained += 1
            elif got == item["expect"]:
                right += 1
            else:
                wrong += 1
        n = right + wrong + abstained
        rows.append(f"| {lang} | {n} | {right} | {wrong} | {abstained} | {oos_ok}/{oos} |")
    return rows
