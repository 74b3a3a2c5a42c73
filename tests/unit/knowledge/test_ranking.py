"""The learned ranker: features as scikit-learn computes them, the saved model, the cache, language,
cross-language answers, and the answer / suggest / don't-know bands."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.knowledge.articles import load_articles
from bot.knowledge.features import TfidfSpace, char_grams, word_grams
from bot.knowledge.ranker import RankerModel, fit_ranker
from tests.unit.knowledge.tests_kb_paths import BUNDLED_KB


@pytest.fixture(scope="module")
def bundled() -> KnowledgeBase:
    kb, _ = load_knowledge_base(BUNDLED_KB)
    return kb


def test_query_vectors_match_scikit_learn() -> None:
    texts = ["zwrot bez paragonu", "gift card expired yesterday", "paket je stigao ostecen ostecen"]
    for analyzer in (char_grams, word_grams):
        fitted = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True).fit(texts)
        name = "char" if analyzer is char_grams else "word"
        space = TfidfSpace(name, {str(g): int(i) for g, i in fitted.vocabulary_.items()}, fitted.idf_)
        query = "paket ostecen gift card, zwrot nowy"
        expected = fitted.transform([query]).toarray()[0]
        vec = space.vector(query)
        got = np.zeros_like(expected)
        got[vec.indices] = vec.values
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_char_grams_pad_words_and_keep_short_ones_whole() -> None:
    assert char_grams("ab", 2, 5) == [" a", "ab", "b ", " ab", "ab ", " ab "]
    assert char_grams("a", 2, 5) == [" a", "a ", " a "]


def test_saved_model_loads_back_and_ranks_the_same(tmp_path: Path) -> None:
    articles, _ = load_articles(BUNDLED_KB)
    model = fit_ranker(articles, encoder=None)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = RankerModel.load(path)
    for query in ("zwrot bez paragonu", "посилка прийшла пошкоджена", "gift card expired"):
        np.testing.assert_allclose(loaded.article_scores(query), model.article_scores(query), rtol=1e-6)
    assert loaded.language_scores("paket je stigao") == model.language_scores("paket je stigao")


def test_the_model_is_cached_on_disk_by_the_articles_text(write_article: Any, tmp_path: Path) -> None:
    write_article(tmp_path / "kb", "gift-cards", "en", "Gift cards", questions=("gift card expired",))
    write_article(tmp_path / "kb", "invoices", "en", "Invoices", questions=("company invoice",))
    cache = tmp_path / "cache"
    articles, _ = load_articles(tmp_path / "kb")
    KnowledgeBase.from_articles(articles, cache_dir=cache)
    assert len(list(cache.glob("ranker-*.npz"))) == 1
    changed = [replace(articles[0], body="Valid for three years."), *articles[1:]]
    kb = KnowledgeBase.from_articles(changed, cache_dir=cache)
    assert len(list(cache.glob("ranker-*.npz"))) == 2
    assert kb.search("gift card expired").candidates[0].id == "gift-cards"


def test_an_unwritable_cache_is_skipped(write_article: Any, tmp_path: Path) -> None:
    write_article(tmp_path / "kb", "gift-cards", "en", "Gift cards", questions=("gift card expired",))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    articles, _ = load_articles(tmp_path / "kb")
    kb = KnowledgeBase.from_articles(articles, cache_dir=blocker / "cache")
    assert kb.search("gift card").candidates[0].id == "gift-cards"


@pytest.mark.parametrize(
    ("query", "hint", "lang"),
    [
        ("посилка прийшла пошкоджена", None, "uk"),
        ("zwrot pieniędzy na kartę", None, "pl"),
        ("paket je stigao oštećen", None, "hr"),
        ("klient chce zwrot bez paragonu", None, "pl"),
        ("kupac zeli vratiti novac bez racuna", None, "hr"),
        ("customer wants a refund without a receipt", None, "en"),
        ("ok", "hr", "hr"),
    ],
)
def test_detects_the_query_language(bundled: KnowledgeBase, query: str, hint: str | None, lang: str) -> None:
    assert bundled.detect(query, lang_hint=hint) == lang


def test_answers_in_the_query_language(bundled: KnowledgeBase) -> None:
    result = bundled.search("klient chce zwrot bez paragonu")
    assert result.answer is not None
    assert (result.answer.id, result.answer.lang, result.lang) == ("returns-without-receipt", "pl", "pl")


def test_scores_are_confidences_best_first(bundled: KnowledgeBase) -> None:
    result = bundled.search("customer wants money back without a receipt", top=5)
    scores = [c.score for c in result.candidates]
    assert len(scores) == 5
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_an_article_missing_in_the_asked_language_answers_in_english(
    write_article: Any, tmp_path: Path
) -> None:
    write_article(tmp_path / "en", "gift-cards", "en", "Gift cards", questions=("gift card expired",))
    write_article(tmp_path / "pl", "invoices", "pl", "Faktury", questions=("klient chce fakturę",))
    write_article(tmp_path / "en", "invoices", "en", "Invoices", questions=("customer wants an invoice",))
    kb, _ = load_knowledge_base(tmp_path)
    result = kb.search("gift card expired", lang_hint="pl")
    assert result.candidates[0].id == "gift-cards"
    assert result.candidates[0].lang == "en"
    fallback = kb.article("gift-cards", "pl")
    assert fallback is not None
    assert fallback.lang == "en"
    assert kb.article("nope", "en") is None


def test_below_the_answer_band_up_to_three_suggestions_then_nothing(bundled: KnowledgeBase) -> None:
    strict = replace(bundled.calibration, answer_threshold=1.01, suggest_threshold=0.0)
    kb = KnowledgeBase.from_articles(bundled.articles(), calibration=strict)
    result = kb.search("paczka przyszła uszkodzona", top=5)
    assert result.answer is None
    assert result.suggestions == result.candidates[:3]
    assert result.suggestions[0].id == "damaged-delivery"
    none = KnowledgeBase.from_articles(
        bundled.articles(), calibration=replace(strict, suggest_threshold=1.01)
    )
    assert none.search("paczka przyszła uszkodzona").suggestions == ()


def test_an_empty_knowledge_base_answers_nothing() -> None:
    result = KnowledgeBase.from_articles(()).search("anything at all")
    assert (result.answer, result.candidates, result.suggestions) == (None, (), ())
