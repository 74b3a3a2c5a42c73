from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.articles import load_articles


def test_loads_fields_and_first_paragraph_as_short_answer(kb_dir: Path) -> None:
    (kb_dir / "en" / "x.md").write_text(
        "---\nid: x\nlang: en\ntitle: X\ntags: [a, b]\nowner: team\nupdated: 2026-10-01\n---\n"
        "# Heading\n\nFirst para\ncontinues.\n\nSecond.\n",
        encoding="utf-8",
    )
    articles, problems = load_articles(kb_dir)
    assert problems == []
    x = next(a for a in articles if a.id == "x")
    assert x.short_answer == "First para continues."
    assert x.tags == ("a", "b")
    assert x.owner == "team"
    assert x.updated == dt.date(2026, 10, 1)
    assert x.path == kb_dir / "en" / "x.md"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no front matter here", "no YAML front matter"),
        ("---\nid: [unclosed\n---\nbody", "not valid YAML"),
        ("---\nlang: en\ntitle: T\n---\nbody", "missing required field 'id'"),
        ("---\nid: a\ntitle: T\n---\nbody", "missing required field 'lang'"),
        ("---\nid: a\nlang: en\n---\nbody", "missing required field 'title'"),
        ("---\nid: Bad_Id\nlang: en\ntitle: T\n---\nbody", "must match [a-z0-9-]+"),
        ("---\nid: a\nlang: eng\ntitle: T\n---\nbody", "two-letter"),
        ("---\nid: a\nlang: en\ntitle: T\nquestions: {x: 1}\n---\nbody", "'questions' must be a list"),
    ],
)
def test_bad_file_is_reported_with_path_and_reason_and_others_still_load(
    kb_dir: Path, text: str, reason: str
) -> None:
    bad = kb_dir / "en" / "bad.md"
    bad.write_text(text, encoding="utf-8")
    articles, problems = load_articles(kb_dir)
    assert [p.path for p in problems] == [bad]
    assert reason in problems[0].reason
    assert str(problems[0]).startswith(f"{bad}: ")
    assert sorted(a.id for a in articles) == ["gift-cards", "lost-delivery"]


def test_non_utf8_file_is_a_problem(kb_dir: Path) -> None:
    (kb_dir / "en" / "latin1.md").write_bytes("---\nid: a\nlang: en\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    _, problems = load_articles(kb_dir)
    assert [p.reason for p in problems] == ["not UTF-8 text"]


def test_duplicate_id_and_lang_is_an_error_but_same_id_in_two_languages_is_not(
    kb_dir: Path, write_article: Callable[..., Path]
) -> None:
    write_article(kb_dir / "pl", "gift-cards", "pl", "Karty")
    dup = write_article(kb_dir / "zz", "gift-cards", "en", "Copy")
    articles, problems = load_articles(kb_dir)
    assert [(p.path, "duplicate id 'gift-cards' in lang 'en'" in p.reason) for p in problems] == [(dup, True)]
    assert sorted((a.id, a.lang) for a in articles) == [
        ("gift-cards", "en"),
        ("gift-cards", "pl"),
        ("lost-delivery", "en"),
    ]


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="not a knowledge-base folder"):
        load_articles(tmp_path / "nope")
