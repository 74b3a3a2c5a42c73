"""The knowledge base the bot searches: the learned ranker, language detection, and calibrated answers.

A query is folded once, its language told from its letters (and the ranker's language model), every
article id scored by the SVM and, with the bundled encoder, by similarity to the English chunks; the
fused ranking's best id answers when its calibrated confidence reaches the answer band, otherwise up
to three suggestions are offered, otherwise nothing. The answer is the article's version in the
asker's language, else the English one (the reply then says it exists only in English).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.i18n import languages
from bot.knowledge.analysis import LANGUAGES, fold, normalize
from bot.knowledge.articles import Article
from bot.knowledge.calibration import Calibration, candidate_features, fuse, load_calibrations
from bot.knowledge.encoder import Encoder
from bot.knowledge.model_cache import cached_model
from bot.knowledge.ranker import PIVOT_LANGUAGE, RankerModel

__all__ = ["KnowledgeBase", "RawScores", "SearchHit", "SearchResult"]

FloatArray = npt.NDArray[np.float32]
MAX_SUGGESTIONS = 3
HINT_MARGIN = 0.3  # the caller's locale wins when the language model is this unsure

_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
# A registered language's own letters decide (Cyrillic ones are Ukrainian anyway), except Polish ó:
# it also turns up in names and loanwords typed in other languages.
_LETTERS_ONLY_IN = {
    language.code: re.compile(f"[{language.letters.replace('ó', '')}]")
    for language in languages.REGISTRY
    if language.letters and not _CYRILLIC_RE.search(language.letters)
}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A candidate article in one language; `score` is the calibrated confidence in [0, 1]."""

    id: str
    lang: str
    title: str
    score: float
    short_answer: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What the bot does with a query: answer, or offer `suggestions`, or neither."""

    query: str
    lang: str
    answer: SearchHit | None
    candidates: tuple[SearchHit, ...]
    suggestions: tuple[SearchHit, ...]


@dataclass(frozen=True, slots=True)
class RawScores:
    """The ranker's signals for one query, before fusion (for calibration and the benchmark)."""

    lang: str
    svm: FloatArray
    sims: FloatArray | None
    in_lang: npt.NDArray[np.bool_]
    words: int


class KnowledgeBase:
    """An immutable snapshot of the articles and their fitted ranker; `search` does no I/O."""

    def __init__(
        self,
        articles: Sequence[Article],
        *,
        encoder: Encoder | None = None,
        cache_dir: Path | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self._articles: dict[tuple[str, str], Article] = {(a.id, a.lang): a for a in articles}
        self._encoder = encoder
        self.model: RankerModel = cached_model(
            list(self._articles.values()), encoder=encoder, cache_dir=cache_dir
        )
        self.calibration = calibration or load_calibrations()["encoder" if encoder else "no_encoder"]
        self.languages: tuple[str, ...] = self.model.langs

    @classmethod
    def from_articles(
        cls,
        articles: Sequence[Article],
        *,
        encoder: Encoder | None = None,
        cache_dir: Path | None = None,
        calibration: Calibration | None = None,
    ) -> KnowledgeBase:
        """Fit (or load from the cache) the ranker once; query the snapshot as often as needed."""
        return cls(articles, encoder=encoder, cache_dir=cache_dir, calibration=calibration)

    @property
    def encoder(self) -> Encoder | None:
        return self._encoder

    def __len__(self) -> int:
        return len(self._articles)

    def articles(self) -> list[Article]:
        """Every article version in the snapshot, by id then language."""
        return sorted(self._articles.values(), key=lambda a: (a.id, a.lang))

    def article(self, article_id: str, lang: str) -> Article | None:
        """The version in `lang`, else English, else the first other language; None if unknown."""
        for candidate in (lang, PIVOT_LANGUAGE, *sorted(la for i, la in self._articles if i == article_id)):
            found = self._articles.get((article_id, candidate))
            if found is not None:
                return found
        return None

    def detect(self, query: str, *, lang_hint: str | None = None) -> str:
        """The query's language: Cyrillic is Ukrainian, letters only Polish or Croatian has decide,
        else the ranker's language model, with the caller's locale winning when the model is unsure."""
        known = tuple(dict.fromkeys((*LANGUAGES, *self.languages)))
        hint = lang_hint if lang_hint in known else None
        text = normalize(query)
        letters = sum(ch.isalpha() for ch in text)
        if letters and len(_CYRILLIC_RE.findall(text)) * 2 >= letters and "uk" in known:
            return "uk"
        for lang, pattern in _LETTERS_ONLY_IN.items():
            if pattern.search(text) and lang in known:
                return lang
        scores = {la: s for la, s in self.model.language_scores(fold(text)).items() if la != "uk"}
        if not scores or not letters:
            return hint or (self.languages[0] if self.languages else PIVOT_LANGUAGE)
        best = max(scores, key=lambda la: scores[la])
        if hint is not None and hint != best and scores.get(hint, -np.inf) >= scores[best] - HINT_MARGIN:
            return hint
        return best

    def raw(self, query: str, *, lang_hint: str | None = None, vector: FloatArray | None = None) -> RawScores:
        """The ranker's signals for `query` (`vector`: its encoder vector, when already computed)."""
        lang = self.detect(query, lang_hint=lang_hint)
        model = self.model
        svm = model.article_scores(fold(query))
        sims = None
        if self._encoder is not None and model.vectors.size:
            if vector is None:
                vector = self._encoder.queries([query])[0]
            sims = model.similarities(vector)
        if lang in model.langs:
            in_lang = model.available[model.langs.index(lang)]
        else:
            in_lang = np.zeros(len(model.ids), dtype=np.bool_)
        return RawScores(lang, svm, sims, in_lang, len(query.split()))

    def raw_many(self, queries: Sequence[str]) -> list[RawScores]:
        """`raw` for many queries, one encoder call each as in the bot (benchmarks, calibration)."""
        return [self.raw(q) for q in queries]

    def search(self, query: str, *, lang_hint: str | None = None, top: int = 3) -> SearchResult:
        """Answer, suggest, or say nothing, by the calibrated bands (see the module docstring)."""
        raw = self.raw(query, lang_hint=lang_hint)
        return self.decide(query, raw, top=top)

    def decide(self, query: str, raw: RawScores, *, top: int = 3) -> SearchResult:
        """The search result for already computed signals."""
        cal = self.calibration
        if not self.model.ids or not query.strip():
            return SearchResult(query, raw.lang, None, (), ())
        fused = fuse(cal.fusion, raw.svm, raw.sims, raw.in_lang)
        order = np.argsort(-fused, kind="stable")[: max(top, MAX_SUGGESTIONS)]
        hits: list[SearchHit] = []
        for index in order:
            features = candidate_features(
                int(index), fused=fused, svm=raw.svm, sims=raw.sims, in_lang=raw.in_lang, words=raw.words
            )
            article = self.article(self.model.ids[index], raw.lang)
            if article is None:
                continue
            # A lower-ranked candidate never shows more confidence than the one above it.
            score = round(cal.confidence(features), 4)
            if hits:
                score = min(score, hits[-1].score)
            hits.append(SearchHit(article.id, article.lang, article.title, score, article.short_answer))
        if not hits:
            return SearchResult(query, raw.lang, None, (), ())
        best = hits[0]
        if best.score >= cal.answer_threshold:
            return SearchResult(query, raw.lang, best, tuple(hits[:top]), ())
        suggestions = tuple(hits[:MAX_SUGGESTIONS]) if best.score >= cal.suggest_threshold else ()
        return SearchResult(query, raw.lang, None, tuple(hits[:top]), suggestions)
