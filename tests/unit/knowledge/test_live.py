from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge import KbProblem, KnowledgeBase, LiveKnowledgeBase


def title(kb: KnowledgeBase, article_id: str) -> str:
    """The title of the English article `article_id`, which must be there."""
    article = kb.article(article_id, "en")
    assert article is not None, f"no article {article_id}"
    return article.title


def _ids(live: LiveKnowledgeBase) -> list[str]:
    return [a.id for a in live.current.articles()]


def test_load_serves_every_valid_article_and_reports_bad_ones(kb_dir: Path) -> None:
    (kb_dir / "en" / "broken.md").write_text("no front matter", encoding="utf-8")
    live = LiveKnowledgeBase(kb_dir)
    problems = live.load()
    assert [p.path.name for p in problems] == ["broken.md"]
    assert _ids(live) == ["gift-cards", "lost-delivery"]


def test_added_file_is_picked_up(kb_dir: Path, write_article: Callable[..., Path]) -> None:
    live = LiveKnowledgeBase(kb_dir)
    live.load()
    path = write_article(kb_dir / "en", "invoices", "en", "Invoices", questions=("company invoice",))
    assert live.apply_changes([path]) == []
    assert "invoices" in _ids(live)
    answer = live.current.search("company invoice").answer
    assert answer is not None
    assert answer.id == "invoices"


def test_changed_file_replaces_old_version(kb_dir: Path, write_article: Callable[..., Path]) -> None:
    live = LiveKnowledgeBase(kb_dir)
    live.load()
    before = live.current
    path = write_article(kb_dir / "en", "gift-cards", "en", "Gift vouchers", body="Valid 36 months.")
    live.apply_changes([path])
    assert live.current is not before
    assert title(live.current, "gift-cards") == "Gift vouchers"
    assert title(before, "gift-cards") == "Gift cards"


def test_removed_file_drops_out(kb_dir: Path) -> None:
    live = LiveKnowledgeBase(kb_dir)
    live.load()
    path = kb_dir / "en" / "lost-delivery.md"
    path.unlink()
    live.apply_changes([path])
    assert _ids(live) == ["gift-cards"]


def test_broken_edit_keeps_previous_version_serving_and_is_reported(kb_dir: Path) -> None:
    live = LiveKnowledgeBase(kb_dir)
    live.load()
    path = kb_dir / "en" / "gift-cards.md"
    path.write_text("---\nid: gift-cards\nlang: en\n---\ntitle went missing", encoding="utf-8")
    problems = live.apply_changes([path])
    assert [(p.path, "missing required field 'title'" in p.reason) for p in problems] == [(path, True)]
    assert "previous version still served" in problems[0].reason
    assert title(live.current, "gift-cards") == "Gift cards"


def test_deleting_the_first_of_two_duplicates_promotes_the_other(
    kb_dir: Path, write_article: Callable[..., Path]
) -> None:
    live = LiveKnowledgeBase(kb_dir)
    live.load()
    dup = write_article(kb_dir / "zz", "gift-cards", "en", "Second copy")
    problems = live.apply_changes([dup])
    assert [p.path for p in problems] == [dup]
    first = kb_dir / "en" / "gift-cards.md"
    first.unlink()
    assert live.apply_changes([first]) == []
    assert title(live.current, "gift-cards") == "Second copy"


def test_non_markdown_changes_are_ignored(kb_dir: Path) -> None:
    live = LiveKnowledgeBase(kb_dir)
    live.load()
    note = kb_dir / "README.txt"
    note.write_text("not an article", encoding="utf-8")
    assert live.apply_changes([note]) == []
    assert len(live.current) == 2


def test_unreadable_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="not a knowledge-base folder"):
        LiveKnowledgeBase(tmp_path / "missing").load()


async def test_watch_reports_a_broken_file_written_to_the_folder(kb_dir: Path) -> None:
    live = LiveKnowledgeBase(kb_dir)
    live.load()
    reported: asyncio.Queue[list[KbProblem]] = asyncio.Queue()
    task = asyncio.create_task(live.watch(on_problems=reported.put_nowait))
    try:
        await asyncio.sleep(0.3)  # let the OS watcher start; the file event below is real I/O
        (kb_dir / "en" / "broken.md").write_text("no front matter", encoding="utf-8")
        problems = await asyncio.wait_for(reported.get(), timeout=10)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [p.path.name for p in problems] == ["broken.md"]
    assert len(live.current) == 2
