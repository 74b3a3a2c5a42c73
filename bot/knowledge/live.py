"""Loading the knowledge-base folder and keeping a live snapshot current as files change."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from bot.knowledge.articles import (
    Article,
    ArticleError,
    KbProblem,
    article_files,
    is_hidden,
    load_articles,
    read_article,
    resolve_duplicates,
)
from bot.knowledge.encoder import Encoder
from bot.knowledge.search import KnowledgeBase

__all__ = ["LiveKnowledgeBase", "load_knowledge_base"]

logger = logging.getLogger(__name__)


def load_knowledge_base(
    path: Path, *, encoder: Encoder | None = None, cache_dir: Path | None = None
) -> tuple[KnowledgeBase, list[KbProblem]]:
    """Read, validate and index every article under `path` (with `encoder`, if given).

    Raises `OSError` when the folder itself cannot be read; bad files are returned as problems.
    """
    articles, problems = load_articles(path)
    return KnowledgeBase.from_articles(articles, encoder=encoder, cache_dir=cache_dir), problems


class LiveKnowledgeBase:
    """The snapshot the server searches, rebuilt and swapped whole when the folder changes.

    A file that becomes invalid keeps its last good version serving (and is reported); a
    removed file drops out; a new or fixed file comes in. Readers only ever see a complete
    `KnowledgeBase`: `current` is replaced by one assignment.
    """

    def __init__(self, path: Path, *, encoder: Encoder | None = None, cache_dir: Path | None = None) -> None:
        self.path = path
        self._encoder = encoder
        self._cache_dir = cache_dir
        self._by_path: dict[Path, Article] = {}
        self._current = KnowledgeBase.from_articles((), encoder=encoder, cache_dir=cache_dir)

    @property
    def current(self) -> KnowledgeBase:
        return self._current

    def load(self) -> list[KbProblem]:
        """(Re)load the whole folder; raises `OSError` when it cannot be read at all."""
        if not self.path.is_dir():
            raise NotADirectoryError(f"{self.path}: not a knowledge-base folder")
        self._by_path = {}
        return self.apply_changes(article_files(self.path))

    def apply_changes(self, paths: Iterable[Path]) -> list[KbProblem]:
        """Re-read the changed `paths` (added, edited or deleted) and swap in a new snapshot."""
        by_path = dict(self._by_path)
        problems: list[KbProblem] = []
        for path in sorted(set(paths)):
            if path.suffix != ".md" or is_hidden(path, root=self.path):
                continue
            if not path.exists():
                by_path.pop(path, None)
                continue
            try:
                by_path[path] = read_article(path)
            except ArticleError as exc:
                kept = " (previous version still served)" if path in by_path else ""
                problems.append(KbProblem(path, f"{exc}{kept}"))
        articles, duplicates = resolve_duplicates(by_path.values())
        self._by_path = by_path  # duplicates stay known so deleting the first one promotes the next
        self._current = KnowledgeBase.from_articles(
            articles, encoder=self._encoder, cache_dir=self._cache_dir
        )
        return problems + duplicates

    async def watch(self, *, on_problems: Callable[[list[KbProblem]], None] | None = None) -> None:
        """Follow the folder until cancelled; each batch of changes rebuilds off the event loop."""
        async for changes in watchfiles.awatch(self.path):
            paths = [Path(p) for _, p in changes]
            problems = await asyncio.to_thread(self.apply_changes, paths)
            logger.info("knowledge base reloaded: %d articles", len(self._current))
            if problems and on_problems is not None:
                on_problems(problems)
