"""Caching the fitted ranker: in the process, and on disk as .npz keyed by a hash of the articles.

Fitting (scikit-learn) and embedding the articles (encoder) are the slow part of loading a knowledge
base; a CLI call or a server start with unchanged articles reads the arrays back instead. A cache
that cannot be read or written is skipped (the model is fitted again), never an error.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from bot.knowledge.articles import Article
from bot.knowledge.encoder import Encoder
from bot.knowledge.ranker import RankerModel, fit_ranker, model_key

__all__ = ["cached_model", "default_cache_dir"]

logger = logging.getLogger(__name__)
_MEMORY: OrderedDict[str, RankerModel] = OrderedDict()
_MEMORY_SIZE = 8
_LOCK = threading.Lock()


def default_cache_dir() -> Path:
    """Where fitted models are kept between runs: ~/.cache/supportbot/kb."""
    return Path.home() / ".cache" / "supportbot" / "kb"


def cached_model(
    articles: Sequence[Article], *, encoder: Encoder | None, cache_dir: Path | None
) -> RankerModel:
    """The fitted model for `articles`: from memory, else from `cache_dir`, else fitted (and saved)."""
    key = model_key(articles, encoder=encoder)
    with _LOCK:
        model = _MEMORY.get(key)
        if model is not None:
            _MEMORY.move_to_end(key)
            return model
    folder = cache_dir or default_cache_dir()
    path = folder / f"ranker-{key}.npz"
    model = None
    if path.is_file():
        try:
            model = RankerModel.load(path)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("knowledge-base model cache %s unreadable, refitting: %s", path, exc)
    if model is None:
        model = fit_ranker(articles, encoder=encoder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            model.save(path)
        except OSError as exc:
            logger.info("knowledge-base model cache %s not written: %s", path, exc)
    with _LOCK:
        _MEMORY[key] = model
        while len(_MEMORY) > _MEMORY_SIZE:
            _MEMORY.popitem(last=False)
    return model
