"""The learned ranker: one class per article id, trained on every language version at index time.

Features: TF-IDF of character 2-5-grams (inside words) and of words and word pairs, over folded text
(case and diacritics), with a linear SVM (scikit-learn's LinearSVC, one-vs-rest). A second small
linear model over character 1-4-grams tells the knowledge base's languages apart. With the bundled
encoder, the articles' pivot-language (English) chunks are embedded too: the multilingual signal that
lets a Polish question find an article that exists only in English.

The fitted model is plain numpy arrays (saved as .npz, no pickle); scikit-learn is imported only to
fit it, never to answer a query.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.knowledge.articles import Article
from bot.knowledge.encoder import Encoder
from bot.knowledge.features import TfidfSpace, article_chunks

__all__ = ["MODEL_VERSION", "PIVOT_LANGUAGE", "RankerModel", "fit_ranker", "model_key"]

FloatArray = npt.NDArray[np.float32]
MODEL_VERSION = 1
PIVOT_LANGUAGE = "en"
SVM_C = 1.0  # measured on kb-dev: 0.3 and 3 ranked no better (docs/kb-benchmark.md)


@dataclass(frozen=True, slots=True)
class _Linear:
    """A linear model over one or two TF-IDF spaces: scores = x @ coef + intercept."""

    spaces: tuple[TfidfSpace, ...]
    coef: FloatArray  # (features of all spaces, classes)
    intercept: FloatArray

    def scores(self, folded_text: str) -> FloatArray:
        out = self.intercept.copy()
        offset = 0
        for space in self.spaces:
            vec = space.vector(folded_text)
            if vec.indices.size:
                out += vec.values @ self.coef[vec.indices + offset]
            offset += space.size
        return out


@dataclass(frozen=True, slots=True)
class RankerModel:
    """Everything the search needs at query time, as arrays."""

    ids: tuple[str, ...]
    langs: tuple[str, ...]
    available: npt.NDArray[np.bool_]  # (langs, ids): which ids exist in which language
    articles: _Linear
    language: _Linear | None  # None when the knowledge base has one language
    encoder_name: str | None
    vectors: FloatArray  # (pivot chunks, dims), unit rows; empty without an encoder
    vector_ids: npt.NDArray[np.int64]  # index into `ids` of each row of `vectors`

    def article_scores(self, folded_query: str) -> FloatArray:
        """The SVM decision value of every article id."""
        return self.articles.scores(folded_query)

    def language_scores(self, folded_query: str) -> dict[str, float]:
        """Decision value per knowledge-base language (empty with one language)."""
        if self.language is None:
            return {}
        return dict(zip(self.langs, self.language.scores(folded_query).tolist(), strict=True))

    def similarities(self, query_vector: FloatArray) -> FloatArray:
        """Mean cosine of the query to each id's pivot-language chunks (0 for ids without any)."""
        n = len(self.ids)
        if not self.vectors.size:
            return np.zeros(n, dtype=np.float32)
        sims = self.vectors @ query_vector
        totals = np.bincount(self.vector_ids, weights=sims, minlength=n)
        counts = np.bincount(self.vector_ids, minlength=n)
        out: FloatArray = np.divide(totals, np.maximum(counts, 1)).astype(np.float32)
        return out

    def save(self, path: Path) -> None:
        """Write the model as one .npz file (atomically: a temporary file, then a rename)."""
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "meta": np.array(
                json.dumps(
                    {
                        "version": MODEL_VERSION,
                        "ids": self.ids,
                        "langs": self.langs,
                        "encoder": self.encoder_name,
                        "spaces": [s.analyzer for s in self.articles.spaces],
                    }
                )
            ),
            "available": self.available,
            "coef": self.articles.coef,
            "intercept": self.articles.intercept,
            "vectors": self.vectors,
            "vector_ids": self.vector_ids,
        }
        for i, space in enumerate(self.articles.spaces):
            arrays[f"vocab{i}"], arrays[f"idf{i}"] = space.vocabulary_array(), space.idf
        if self.language is not None:
            lang_space = self.language.spaces[0]
            arrays["lang_vocab"], arrays["lang_idf"] = lang_space.vocabulary_array(), lang_space.idf
            arrays["lang_coef"], arrays["lang_intercept"] = self.language.coef, self.language.intercept
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> RankerModel:
        """Read a model written by `save`; raises ValueError (or OSError) when it is not one."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("version") != MODEL_VERSION:
                raise ValueError(f"model version {meta.get('version')} is not {MODEL_VERSION}")
            spaces = tuple(
                TfidfSpace.from_arrays(name, data[f"vocab{i}"].tolist(), data[f"idf{i}"])
                for i, name in enumerate(meta["spaces"])
            )
            language = None
            if "lang_coef" in data:
                lang_space = TfidfSpace.from_arrays("lang", data["lang_vocab"].tolist(), data["lang_idf"])
                language = _Linear((lang_space,), data["lang_coef"], data["lang_intercept"])
            return cls(
                ids=tuple(meta["ids"]),
                langs=tuple(meta["langs"]),
                available=data["available"],
                articles=_Linear(spaces, data["coef"], data["intercept"]),
                language=language,
                encoder_name=meta["encoder"],
                vectors=data["vectors"],
                vector_ids=data["vector_ids"],
            )


def model_key(articles: Sequence[Article], *, encoder: Encoder | None) -> str:
    """A hash of everything the model is built from: the articles' text, the encoder, the version."""
    digest = hashlib.sha256(f"{MODEL_VERSION}\0{encoder.name if encoder else ''}\0{SVM_C}".encode())
    for a in sorted(articles, key=lambda a: (a.id, a.lang)):
        digest.update(json.dumps([a.id, a.lang, a.title, list(a.questions), a.body]).encode())
    return digest.hexdigest()[:32]


def _fit_linear(
    texts: list[str], labels: list[str], classes: Sequence[str], analyzers: Sequence[str]
) -> _Linear:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from bot.knowledge.features import ANALYZERS

    vectorizers = [
        TfidfVectorizer(analyzer=ANALYZERS[name], sublinear_tf=True, dtype=np.float32) for name in analyzers
    ]
    matrix = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    spaces = tuple(
        TfidfSpace(name, {str(g): int(i) for g, i in v.vocabulary_.items()}, v.idf_.astype(np.float32))
        for name, v in zip(analyzers, vectorizers, strict=True)
    )
    n_features = matrix.shape[1]
    if len(classes) < 2:
        return _Linear(
            spaces, np.zeros((n_features, len(classes)), np.float32), np.zeros(len(classes), np.float32)
        )
    svm = LinearSVC(C=SVM_C).fit(matrix, labels)
    order = [list(svm.classes_).index(c) for c in classes]
    coef, intercept = np.asarray(svm.coef_, np.float32), np.asarray(svm.intercept_, np.float32)
    if len(classes) == 2:  # a binary SVM has one row: the second class's side
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return _Linear(spaces, np.ascontiguousarray(coef[order].T), intercept[order])


def fit_ranker(articles: Sequence[Article], *, encoder: Encoder | None) -> RankerModel:
    """Train the article and language models (and embed the pivot chunks) for `articles`."""
    ids = tuple(sorted({a.id for a in articles}))
    langs = tuple(sorted({a.lang for a in articles}, key=lambda la: (la != PIVOT_LANGUAGE, la)))
    available = np.zeros((len(langs), len(ids)), dtype=np.bool_)
    texts: list[str] = []
    labels: list[str] = []
    text_langs: list[str] = []
    for a in articles:
        available[langs.index(a.lang), ids.index(a.id)] = True
        for chunk in article_chunks(a):
            texts.append(chunk)
            labels.append(a.id)
            text_langs.append(a.lang)
    if not texts:
        empty = np.zeros(0, dtype=np.float32)
        spaces = (TfidfSpace("char", {}, empty), TfidfSpace("word", {}, empty))
        article_model = _Linear(spaces, np.zeros((0, len(ids)), np.float32), np.zeros(len(ids), np.float32))
    else:
        article_model = _fit_linear(texts, labels, ids, ("char", "word"))
    language = _fit_linear(texts, text_langs, langs, ("lang",)) if len(langs) > 1 else None
    vectors = np.zeros((0, 0), dtype=np.float32)
    vector_ids = np.zeros(0, dtype=np.int64)
    if encoder is not None:
        pivot = langs[0] if langs else PIVOT_LANGUAGE
        pairs = [
            (ids.index(a.id), chunk)
            for a in articles
            if a.lang == pivot
            for chunk in article_chunks(a, folded=False)
        ]
        if pairs:
            vectors = encoder.passages([text for _, text in pairs])
            vector_ids = np.array([i for i, _ in pairs], dtype=np.int64)
    return RankerModel(
        ids=ids,
        langs=langs,
        available=available,
        articles=article_model,
        language=language,
        encoder_name=encoder.name if encoder else None,
        vectors=vectors,
        vector_ids=vector_ids,
    )
