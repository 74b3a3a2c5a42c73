"""The knowledge-base index: per-language BM25 fields, typo fixing, ranking and calibrated no-answer."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import bm25s
import numpy as np
import numpy.typing as npt
from bm25s.tokenization import Tokenized
from rapidfuzz import fuzz, process

from bot.i18n import languages
from bot.knowledge.analysis import (
    LANGUAGES,
    analyze_pairs,
    analyze_words,
    detect_language,
    fold,
    stop_words,
)
from bot.knowledge.analysis import normalize as fold_case
from bot.knowledge.articles import Article

__all__ = [
    "DEFAULT_CALIBRATION",
    "Calibration",
    "KnowledgeBase",
    "Ranked",
    "SearchHit",
    "SearchResult",
]

FloatArray = npt.NDArray[np.float64]

# Ranking parameters, tuned on BANKING77 train utterances beyond the 10 shots and CLINC150 `val`
# (never on test). Each signal is a BM25 field, max-normalised per query, then weighted:
#   title/questions/body: lemmas without stop words; words: lemmas of title + questions with stop
#   words kept; bigrams: adjacent pairs of those; chars: character 3-5-grams of title + questions.
SIGNAL_WEIGHTS: dict[str, float] = {
    "title": 0.5,
    "questions": 0.0,
    "body": 0.3,
    "words": 2.0,
    "bigrams": 0.6,
    "chars": 1.5,
}
K1, B = 1.5, 0.75
RERANK_DEPTH = 10
TYPO_CUTOFF = 82.0
TYPO_MIN_LENGTH = 5
FALLBACK_MIN_COVERAGE = 0.5  # another language's article must match half the query to answer


@dataclass(frozen=True, slots=True)
class Calibration:
    """Logistic map from scale-free ranking features to a confidence in [0, 1], and the bands.

    Features: idf-weighted query coverage by the article, score margin over the best other
    article, and rapidfuzz token-sort similarity to the article's closest question or title.
    Fitted and thresholds chosen on CLINC150 `val`/`oos_val` by `bench/kb_eval.py --calibrate`.
    """

    coverage: float
    margin: float
    fuzzy: float
    bias: float
    answer_threshold: float
    suggest_threshold: float
    min_coverage: float = 0.2

    def confidence(self, *, coverage: float, margin: float, fuzzy: float) -> float:
        """Logistic confidence, damped linearly when under `min_coverage` of the query matched."""
        z = self.coverage * coverage + self.margin * margin + self.fuzzy * fuzzy + self.bias
        damp = min(1.0, coverage / self.min_coverage) if self.min_coverage > 0 else 1.0
        return damp / (1.0 + math.exp(-z))


# Fitted on CLINC150 val + oos_val (bench/kb_eval.py --calibrate); the answer threshold is the one
# giving the most right answers on val with at least 75% of out-of-scope val queries abstained.
DEFAULT_CALIBRATION = Calibration(
    coverage=0.752, margin=6.165, fuzzy=6.689, bias=-4.847, answer_threshold=0.57, suggest_threshold=0.2
)


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
class Ranked:
    """One ranked article with the raw features its confidence comes from (for calibration)."""

    article: Article
    score: float
    coverage: float
    margin: float
    fuzzy: float


@lru_cache(maxsize=131072)
def _word_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in (3, 4, 5) for i in range(max(1, len(padded) - n + 1)))


def _bigrams(terms: Sequence[str]) -> list[str]:
    return [f"{a} {b}" for a, b in pairwise(terms)]


def _char_grams(words: Sequence[str]) -> list[str]:
    """Character 3-5-grams of each word (padded with spaces): the typo- and inflection-tolerant field."""
    grams: list[str] = []
    for word in words:
        grams.extend(_word_grams(word))
    return grams


class _Field:
    """One BM25 index over one field (its own vocabulary)."""

    __slots__ = ("_model", "vocab")

    def __init__(self, docs: list[list[str]]) -> None:
        self.vocab: dict[str, int] = {}
        ids = [[self.vocab.setdefault(t, len(self.vocab)) for t in doc] for doc in docs]
        self._model: bm25s.BM25 | None = None
        if self.vocab:
            self._model = bm25s.BM25(k1=K1, b=B)
            self._model.index(Tokenized(ids=ids, vocab=self.vocab), show_progress=False)

    def scores(self, terms: Sequence[str], n_docs: int) -> FloatArray:
        known = [t for t in terms if t in self.vocab]
        if self._model is None or not known:
            return np.zeros(n_docs)
        return np.asarray(self._model.get_scores(known), dtype=np.float64)


class _LangIndex:
    """Everything needed to rank the articles of one language."""

    def __init__(self, lang: str, articles: Sequence[Article]) -> None:
        self.lang = lang
        self.articles = tuple(articles)
        self._stops = stop_words(lang)
        titles = [analyze_pairs(a.title, lang) for a in articles]
        questions = [[p for q in a.questions for p in analyze_pairs(q, lang)] for a in articles]
        bodies = [analyze_pairs(a.body, lang) for a in articles]
        self.surface_to_lemma: dict[str, str] = {}
        for pairs in (*titles, *questions, *bodies):
            for lemma, word in pairs:
                self.surface_to_lemma.setdefault(word, lemma)
        phrases = [[analyze_words(text, lang) for text in (a.title, *a.questions)] for a in articles]
        words = [[lemma for p in ps for lemma, _ in p] for ps in phrases]
        self.phrase_lemmas = frozenset(lemma for doc in words for lemma in doc)
        docs: dict[str, list[list[str]]] = {
            "title": [[lemma for lemma, _ in p] for p in titles],
            "questions": [[lemma for lemma, _ in p] for p in questions],
            "body": [[lemma for lemma, _ in p] for p in bodies],
            "words": words,
            "bigrams": [[b for p in ps for b in _bigrams([lemma for lemma, _ in p])] for ps in phrases],
            "chars": [_char_grams([w for _, w in t + q]) for t, q in zip(titles, questions, strict=True)],
        }
        self.fields = {name: _Field(docs[name]) for name, weight in SIGNAL_WEIGHTS.items() if weight}
        self.doc_terms: list[frozenset[str]] = [
            frozenset(lemma for lemma, _ in t + q + b)
            for t, q, b in zip(titles, questions, bodies, strict=True)
        ]
        n = len(articles)
        df: dict[str, int] = {}
        for terms in self.doc_terms:
            for term in terms:
                df[term] = df.get(term, 0) + 1
        self.idf = {t: math.log(1.0 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.max_idf = math.log(1.0 + (n + 0.5) / 0.5)
        self.lemmas = frozenset(df)
        self._fix_vocab = sorted(self.lemmas | self.surface_to_lemma.keys())
        self._fix_cache: dict[str, str | None] = {}
        self.phrases: list[tuple[str, ...]] = [
            tuple(fold(text) for text in (a.title, *a.questions)) for a in articles
        ]

    def resolve(self, lemma: str, word: str) -> str | None:
        """The index term a query word stands for: lemma, known inflection, or typo fix."""
        if lemma in self.lemmas:
            return lemma
        for form in (word, lemma):
            mapped = self.surface_to_lemma.get(form)
            if mapped is not None:
                return mapped
        if len(word) < TYPO_MIN_LENGTH or word.isdigit():
            return None
        if word not in self._fix_cache:
            best = process.extractOne(
                word, self._fix_vocab, scorer=fuzz.ratio, processor=None, score_cutoff=TYPO_CUTOFF
            )
            fixed = None if best is None else str(best[0])
            self._fix_cache[word] = None if fixed is None else self.surface_to_lemma.get(fixed, fixed)
        return self._fix_cache[word]

    def _phrase_term(self, lemma: str, word: str) -> str:
        """The term a query word stands for in the stop-words-kept fields (typos fixed)."""
        if lemma in self.phrase_lemmas or word in self._stops:
            return lemma
        return self.resolve(lemma, word) or lemma

    def rank(self, query: str, *, depth: int) -> list[Ranked]:
        n = len(self.articles)
        pairs = analyze_pairs(query, self.lang)
        if not n or not pairs:
            return []
        terms: list[str] = []
        unknown = 0
        for lemma, word in pairs:
            term = self.resolve(lemma, word)
            if term is None:
                unknown += 1
            else:
                terms.append(term)
        words = [w for _, w in pairs]
        all_terms = [self._phrase_term(lemma, word) for lemma, word in analyze_words(query, self.lang)]
        queries = {
            "title": terms,
            "questions": terms,
            "body": terms,
            "words": all_terms,
            "bigrams": _bigrams(all_terms),
            "chars": _char_grams(words),
        }
        combined = np.zeros(n)
        for name, field in self.fields.items():
            combined += SIGNAL_WEIGHTS[name] * _unit(field.scores(queries[name], n))
        if not combined.any():
            return []
        k = min(depth, n)
        top = np.argpartition(-combined, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-combined[top], kind="stable")]
        best = float(combined[top[0]])
        second = float(combined[top[1]]) if len(top) > 1 else 0.0
        unique_terms = set(terms)
        total_idf = sum(self.idf.get(t, self.max_idf) for t in unique_terms) + unknown * self.max_idf
        folded_query = fold(" ".join(w for _, w in pairs))
        ranked: list[Ranked] = []
        for i in top:
            score = float(combined[i])
            if score <= 0.0:
                break
            matched = sum(self.idf.get(t, 0.0) for t in unique_terms & self.doc_terms[i])
            other = second if i == top[0] else best
            fuzzy = max(
                fuzz.token_sort_ratio(folded_query, phrase, processor=None) for phrase in self.phrases[i]
            )
            ranked.append(
                Ranked(
                    article=self.articles[i],
                    score=score,
                    coverage=matched / total_idf if total_idf else 0.0,
                    margin=(score - other) / best,
                    fuzzy=fuzzy / 100.0,
                )
            )
        return ranked


def _script_decides(query: str) -> bool:
    """True when the letters alone settle the language (Cyrillic, or Polish/Croatian-only letters)."""
    return bool(_DECISIVE_RE.search(fold_case(query)))


# Cyrillic or a registered language's own letters, except Polish ó: it also turns up in names and
# loanwords typed in other languages, so alone it only hints at Polish.
_DECISIVE_RE = re.compile(
    "[\u0400-\u04ff" + "".join(language.letters for language in languages.REGISTRY).replace("ó", "") + "]"
)


def _unit(scores: FloatArray) -> FloatArray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


class KnowledgeBase:
    """An immutable snapshot of the articles and their indexes; `search` does no I/O."""

    def __init__(
        self, articles: Sequence[Article], *, calibration: Calibration = DEFAULT_CALIBRATION
    ) -> None:
        self._articles: dict[tuple[str, str], Article] = {(a.id, a.lang): a for a in articles}
        by_lang: dict[str, list[Article]] = {}
        for article in sorted(self._articles.values(), key=lambda a: (a.lang, a.id)):
            by_lang.setdefault(article.lang, []).append(article)
        self._indexes = {lang: _LangIndex(lang, arts) for lang, arts in by_lang.items()}
        self.calibration = calibration
        self.languages: tuple[str, ...] = tuple(sorted(by_lang, key=lambda la: (la != "en", la)))

    @classmethod
    def from_articles(
        cls, articles: Sequence[Article], *, calibration: Calibration = DEFAULT_CALIBRATION
    ) -> KnowledgeBase:
        """Build the index once; keep the snapshot and query it as often as needed."""
        return cls(articles, calibration=calibration)

    def __len__(self) -> int:
        return len(self._articles)

    def articles(self) -> list[Article]:
        """Every article version in the snapshot, by id then language."""
        return sorted(self._articles.values(), key=lambda a: (a.id, a.lang))

    def article(self, article_id: str, lang: str) -> Article | None:
        """The version in `lang`, else English, else the first other language; None if unknown."""
        for candidate in (lang, "en", *sorted(la for i, la in self._articles if i == article_id)):
            found = self._articles.get((article_id, candidate))
            if found is not None:
                return found
        return None

    def detect(self, query: str, *, lang_hint: str | None = None) -> str:
        """The query's language among the supported ones and those in the snapshot."""
        candidates = tuple(dict.fromkeys((*LANGUAGES, *self.languages)))
        hint = lang_hint if lang_hint in candidates else None
        detected = detect_language(query, hint=hint, candidates=candidates)
        # Without script or letter evidence, the language whose articles know most of the query's
        # words (exactly, no typo fixing) beats the word-list guess and the hint.
        known = {la: self._known_share(query, la) for la in self._indexes}
        if not known:
            return detected
        best = max(known, key=lambda la: (known[la], la == detected, la == hint))
        if known[best] >= 0.5 and known[best] > known.get(detected, 0.0) + 0.2 and not _script_decides(query):
            return best
        return detected

    def _known_share(self, query: str, lang: str) -> float:
        index = self._indexes[lang]
        pairs = analyze_pairs(query, lang)
        if not pairs:
            return 0.0
        hits = sum(1 for lemma, word in pairs if lemma in index.lemmas or word in index.surface_to_lemma)
        return hits / len(pairs)

    def rank(self, query: str, lang: str, *, depth: int = RERANK_DEPTH) -> list[Ranked]:
        """Articles of one language ranked for `query`, with features (empty if none match)."""
        index = self._indexes.get(lang)
        return [] if index is None else index.rank(query, depth=depth)

    def search(self, query: str, *, lang_hint: str | None = None, top: int = 3) -> SearchResult:
        """Answer from the query's language first, then English, then the others.

        `answer` is set only when the best confidence reaches the calibrated answer threshold;
        otherwise `suggestions` holds the candidates above the lower suggestion threshold.
        """
        lang = self.detect(query, lang_hint=lang_hint)
        order = [la for la in dict.fromkeys((lang, "en", *self.languages)) if la in self._indexes]
        best_hits: tuple[SearchHit, ...] = ()
        cal = self.calibration
        for search_lang in order:
            min_coverage = 0.0 if search_lang == lang else FALLBACK_MIN_COVERAGE
            hits = self._hits(query, search_lang, top=top, min_coverage=min_coverage)
            if hits and hits[0].score >= cal.answer_threshold:
                suggestions = tuple(h for h in hits if h.score >= cal.suggest_threshold)
                return SearchResult(query, lang, hits[0], hits, suggestions)
            if hits and (not best_hits or hits[0].score > best_hits[0].score):
                best_hits = hits
        suggestions = tuple(h for h in best_hits if h.score >= cal.suggest_threshold)
        return SearchResult(query, lang, None, best_hits, suggestions)

    def _hits(self, query: str, lang: str, *, top: int, min_coverage: float) -> tuple[SearchHit, ...]:
        cal = self.calibration
        hits = [
            SearchHit(
                id=r.article.id,
                lang=r.article.lang,
                title=r.article.title,
                score=round(cal.confidence(coverage=r.coverage, margin=r.margin, fuzzy=r.fuzzy), 4),
                short_answer=r.article.short_answer,
            )
            for r in self.rank(query, lang, depth=max(top, RERANK_DEPTH))
            if r.coverage >= min_coverage
        ]
        hits.sort(key=lambda h: -h.score)
        return tuple(hits[:top])
