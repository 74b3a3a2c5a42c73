"""Fitting the calibration (fusion, confidence, bands) on labelled queries, with cross-validation.

Used by `bench/kb_calibrate.py` on the kb-dev development set and by the test that regenerates
`calibration.json`. Steps: (1) the fusion weights with the most right first places, by grid search;
(2) a logistic regression of "the first place is right" on the first candidate's features, its
probabilities taken out-of-fold (stratified 5-fold CV); (3) the answer threshold with the most right
answers while wrong answers stay <= `max_wrong` of all queries and >= `min_rejected` of out-of-scope
queries get no answer, chosen on those out-of-fold probabilities; (4) the suggestion threshold that
offers suggestions to the most unanswered queries whose right article is in the first three, minus
the out-of-scope ones that would get suggestions too. Scikit-learn is imported here (fitting only).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.knowledge.calibration import FEATURES, Calibration, Fusion, candidate_features, fuse
from bot.knowledge.search import RawScores

__all__ = ["Labelled", "fit_calibration"]

MAX_WRONG = 0.045  # a little under the 5% bar, since the threshold is chosen on the same queries
MIN_REJECTED = 0.86
FOLDS = 5
ENCODER_WEIGHTS = (0.0, 0.2, 0.3, 0.5, 0.7)
CROSS_WEIGHTS = (1.0, 1.5, 2.0)
CROSS_BIASES = (-0.5, 0.0, 0.5, 1.0)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One query's signals, with its expected article id (None: out of scope) and kind."""

    raw: RawScores
    expect: str | None
    kind: str


def _first(fusion: Fusion, rows: Sequence[Labelled]) -> list[int]:
    return [int(np.argmax(fuse(fusion, r.raw.svm, r.raw.sims, r.raw.in_lang))) for r in rows]


def _choose_fusion(ids: Sequence[str], rows: Sequence[Labelled], *, encoder: bool) -> Fusion:
    if not encoder:
        return Fusion(0.0, 0.0, 0.0)
    best: tuple[float, Fusion] | None = None
    for w, k, b in itertools.product(ENCODER_WEIGHTS, CROSS_WEIGHTS, CROSS_BIASES):
        fusion = Fusion(w, k, b)
        right = sum(ids[i] == r.expect for i, r in zip(_first(fusion, rows), rows, strict=True))
        if best is None or right > best[0]:
            best = (right, fusion)
    assert best is not None
    return best[1]


def _matrix(fusion: Fusion, rows: Sequence[Labelled]) -> tuple[npt.NDArray[np.float64], list[int]]:
    firsts, features = [], []
    for r in rows:
        fused = fuse(fusion, r.raw.svm, r.raw.sims, r.raw.in_lang)
        i = int(np.argmax(fused))
        firsts.append(i)
        f = candidate_features(
            i, fused=fused, svm=r.raw.svm, sims=r.raw.sims, in_lang=r.raw.in_lang, words=r.raw.words
        )
        features.append([f[name] for name in FEATURES])
    return np.array(features, dtype=np.float64), firsts


def _bands(
    probs: npt.NDArray[np.float64],
    right: npt.NDArray[np.bool_],
    oos: npt.NDArray[np.bool_],
    top3: npt.NDArray[np.bool_],
) -> tuple[float, float]:
    n, answerable = len(probs), int((~oos).sum())
    best: tuple[float, float] = (-1.0, 0.99)
    for t in np.round(np.arange(0.05, 0.99, 0.01), 2):
        answered = probs >= t
        wrong = int((answered & ~right).sum())
        rejected = int((~answered & oos).sum()) / max(1, int(oos.sum()))
        top1 = int((answered & right).sum()) / max(1, answerable)
        if wrong <= MAX_WRONG * n and rejected >= MIN_REJECTED and top1 > best[0]:
            best = (top1, float(t))
    answer = best[1]
    best_gain, suggest = -1, answer
    for s in np.round(np.arange(0.01, answer, 0.01), 2):
        shown = (probs >= s) & (probs < answer)
        gain = int((shown & top3 & ~oos).sum()) - int((shown & oos).sum())
        if gain > best_gain:
            best_gain, suggest = gain, float(s)
    return answer, suggest


def fit_calibration(
    ids: Sequence[str], rows: Sequence[Labelled], *, encoder: bool
) -> tuple[Calibration, dict[str, float]]:
    """The fitted calibration and its cross-validated figures (top-1 right, wrong, rejected)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    fusion = _choose_fusion(ids, rows, encoder=encoder)
    x, firsts = _matrix(fusion, rows)
    right = np.array([ids[i] == r.expect for i, r in zip(firsts, rows, strict=True)])
    oos = np.array([r.expect is None for r in rows])
    top3 = np.array(
        [
            r.expect in [ids[j] for j in np.argsort(-fuse(fusion, r.raw.svm, r.raw.sims, r.raw.in_lang))[:3]]
            for r in rows
        ]
    )
    probs = np.zeros(len(rows))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(x, np.array([r.kind for r in rows])):
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x[train], right[train])
        probs[test] = model.predict_proba(x[test])[:, 1]
    answer, suggest = _bands(probs, right, oos, top3)
    answered = probs >= answer
    n, answerable = len(rows), int((~oos).sum())
    figures = {
        "cv_top1_right": round(float((answered & right).sum()) / max(1, answerable), 4),
        "cv_wrong": round(float((answered & ~right).sum()) / n, 4),
        "cv_oos_rejected": round(float((~answered & oos).sum()) / max(1, int(oos.sum())), 4),
        "raw_top1": round(float(right[~oos].mean()) if answerable else 0.0, 4),
        "raw_top3": round(float(top3[~oos].mean()) if answerable else 0.0, 4),
    }
    final = LogisticRegression(C=1.0, max_iter=2000).fit(x, right)
    calibration = Calibration(
        fusion=fusion,
        weights=tuple(round(float(w), 4) for w in final.coef_[0]),
        bias=round(float(final.intercept_[0]), 4),
        answer_threshold=answer,
        suggest_threshold=suggest,
    )
    return calibration, figures
