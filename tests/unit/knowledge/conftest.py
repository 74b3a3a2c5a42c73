"""Helpers for knowledge-base tests: writing articles into a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

BUNDLED_KB = Path(__file__).resolve().parents[3] / "knowledge_base"


def article_text(
    article_id: str, lang: str, title: str, *, questions: tuple[str, ...] = (), body: str = ""
) -> str:
    lines = ["---", f"id: {article_id}", f"lang: {lang}", f"title: {title}"]
    if questions:
        lines.append("questions:")
        lines.extend(f"  - {q}" for q in questions)
    lines += ["---", body or f"{title}. The short answer.", ""]
    return "\n".join(lines)


@pytest.fixture
def write_article() -> Callable[..., Path]:
    """`write_article(folder, id, lang, title, questions=..., body=...)` -> the file written."""

    def write(
        folder: Path,
        article_id: str,
        lang: str,
        title: str,
        *,
        questions: tuple[str, ...] = (),
        body: str = "",
    ) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{article_id}.md"
        text = article_text(article_id, lang, title, questions=questions, body=body)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "en").mkdir(parents=True)
    (root / "en" / "gift-cards.md").write_text(
        article_text(
            "gift-cards",
            "en",
            "Gift cards",
            questions=("Can a gift card be refunded?", "The gift card expired"),
            body="Gift cards are valid for 24 months and cannot be exchanged for cash.\n\nMore detail.",
        ),
        encoding="utf-8",
    )
    (root / "en" / "lost-delivery.md").write_text(
        article_text(
            "lost-delivery",
            "en",
            "Lost parcel",
            questions=("The parcel never arrived", "Courier lost the package"),
            body="Open a carrier claim after 5 working days; resend or refund within 2 days of the claim.",
        ),
        encoding="utf-8",
    )
    return root
