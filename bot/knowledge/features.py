"""Text features for the learned ranker: article chunks, n-gram analyzers and TF-IDF vectors in numpy.

scikit-learn fits the vocabulary and idf (at index time only); queries are turned into vectors here,
with the same analyzers, so answering a query never imports scikit-learn.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.knowledge.analysis import fold
from bot.knowledge.articles import Article

__all__ = [
    "ANALYZERS",
    "SparseVector",
    "TfidfSpace",
    "article_chunks",
    "char_grams",
    "word_grams",
]

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_MARKUP_RE = re.compile(r"[#*`>|_]+")
_BLOCK_RE = re.compile(r"\n[ \t]*\n|\n[ \t]*[-*+] |\n[ \t]*\d+\. ")
MIN_CHUNK = 12


def char_grams(text: str, low: int = 2, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries, words padded with spaces (scikit-learn's `char_wb`)."""
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def word_grams(text: str) -> list[str]:
    """Words and adjacent word pairs."""
    words = _WORD_RE.findall(text)
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def lang_grams(text: str) -> list[str]:
    """Character 1-4-grams: enough to tell the knowledge base's languages apart."""
    return char_grams(text, 1, 4)


ANALYZERS: dict[str, Callable[[str], list[str]]] = {
    "char": char_grams,
    "word": word_grams,
    "lang": lang_grams,
}

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SparseVector:
    """Feature indices and weights of one text (l2-normalised)."""

    indices: IntArray
    values: FloatArray


@dataclass(frozen=True, slots=True)
class TfidfSpace:
    """A fitted vocabulary with idf weights: sublinear tf x idf, l2-normalised (as TfidfVectorizer)."""

    analyzer: str
    vocabulary: dict[str, int]
    idf: FloatArray

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    def vector(self, folded_text: str) -> SparseVector:
        """The TF-IDF vector of an already folded text."""
        counts = Counter(ANALYZERS[self.analyzer](folded_text))
        pairs = sorted((self.vocabulary[g], c) for g, c in counts.items() if g in self.vocabulary)
        if not pairs:
            return SparseVector(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        indices = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
        tf = np.fromiter((1.0 + math.log(c) for _, c in pairs), dtype=np.float32, count=len(pairs))
        values = tf * self.idf[indices]
        norm = float(np.linalg.norm(values))
        return SparseVector(indices, values / norm if norm > 0 else values)

    def vocabulary_array(self) -> npt.NDArray[np.str_]:
        """The n-grams in index order (for saving)."""
        ordered = [""] * len(self.vocabulary)
        for gram, index in self.vocabulary.items():
            ordered[index] = gram
        return np.array(ordered, dtype=np.str_)

    @classmethod
    def from_arrays(cls, analyzer: str, grams: Sequence[str], idf: FloatArray) -> TfidfSpace:
        return cls(analyzer, {str(g): i for i, g in enumerate(grams)}, idf.astype(np.float32))


def article_chunks(article: Article, *, folded: bool = True) -> list[str]:
    """Training texts of one article version: title, each question, each body block, and the title
    with all questions together; `folded` (case and diacritics) for the n-gram features."""
    texts = [article.title, *article.questions]
    body = _MARKUP_RE.sub(" ", article.body)
    for block in _BLOCK_RE.split("\n" + body):
        text = " ".join(block.split())
        if len(text) >= MIN_CHUNK:
            texts.append(text)
    texts.append(" ".join((article.title, *article.questions)))
    return [fold(t) if folded else t for t in texts if t.strip()]
