"""Fusion of the ranker's signals and the answer / suggest / don't-know bands, read from a fitted file.

`calibration.json` beside this module is written by `bench/kb_calibrate.py` (cross-validated on the
kb-dev development set); `tests/unit/knowledge/test_kb_dev.py` regenerates it and checks the file.
It holds one calibration for the ranker with the bundled encoder and one for the ranker without it.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "CALIBRATION_FILE",
    "FEATURES",
    "Calibration",
    "Fusion",
    "candidate_features",
    "fuse",
    "load_calibrations",
]

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
FloatArray = npt.NDArray[np.float32]

# What the confidence of one candidate is computed from.
FEATURES = ("fused", "margin", "svm", "svm_margin", "similarity", "cross", "words")


@dataclass(frozen=True, slots=True)
class Fusion:
    """How the SVM scores and the encoder similarities make one score per article id.

    Both are standardised across ids per query. An id that exists in the query's language scores
    z(svm) + encoder_weight * z(sim); one that does not (an English-only article asked about in
    Polish) scores cross_weight * z(sim) + cross_bias, since its n-grams cannot match the query.
    """

    encoder_weight: float = 0.0
    cross_weight: float = 0.0
    cross_bias: float = -10.0


@dataclass(frozen=True, slots=True)
class Calibration:
    """Logistic confidence over `FEATURES`, and the thresholds of the answer and suggestion bands."""

    fusion: Fusion
    weights: tuple[float, ...]
    bias: float
    answer_threshold: float
    suggest_threshold: float

    def confidence(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * features[name] for w, name in zip(self.weights, FEATURES, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["weights"] = dict(zip(FEATURES, self.weights, strict=True))
        return data

    @classmethod
    def unfitted(cls) -> Calibration:
        """A placeholder that never answers: for fitting a new calibration without reading the file."""
        return cls(Fusion(), (0.0,) * len(FEATURES), 0.0, 1.01, 1.01)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        weights = data["weights"]
        return cls(
            fusion=Fusion(**data["fusion"]),
            weights=tuple(float(weights[name]) for name in FEATURES),
            bias=float(data["bias"]),
            answer_threshold=float(data["answer_threshold"]),
            suggest_threshold=float(data["suggest_threshold"]),
        )


@cache
def load_calibrations(path: Path = CALIBRATION_FILE) -> dict[str, Calibration]:
    """The fitted calibrations by name (`encoder`, `no_encoder`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: Calibration.from_json(data[name]) for name in ("encoder", "no_encoder")}


def _z(values: FloatArray) -> FloatArray:
    if values.size < 2:
        return np.zeros_like(values)
    std = float(values.std())
    out: FloatArray = (values - values.mean()) / std if std > 1e-9 else np.zeros_like(values)
    return out


def fuse(
    fusion: Fusion, svm: FloatArray, sims: FloatArray | None, in_lang: npt.NDArray[np.bool_]
) -> FloatArray:
    """One score per id (see `Fusion`); without the encoder, missing ids rank on the SVM alone."""
    z_svm = _z(svm)
    if sims is None:
        return z_svm
    z_sim = _z(sims)
    same = z_svm + fusion.encoder_weight * z_sim
    cross = fusion.cross_weight * z_sim + fusion.cross_bias
    out: FloatArray = np.where(in_lang, same, cross).astype(np.float32)
    return out


def candidate_features(
    index: int,
    *,
    fused: FloatArray,
    svm: FloatArray,
    sims: FloatArray | None,
    in_lang: npt.NDArray[np.bool_],
    words: int,
) -> dict[str, float]:
    """The confidence features of candidate `index`: its scores, its lead over the best other id, and
    the query's length (log of its word count: long stories score lower when right, too)."""

    def lead(values: FloatArray) -> float:
        if values.size < 2:
            return float(values[index]) if values.size else 0.0
        others = np.delete(values, index)
        return float(values[index] - others.max())

    return {
        "fused": float(fused[index]),
        "margin": lead(fused),
        "svm": float(svm[index]),
        "svm_margin": lead(svm),
        "similarity": 0.0 if sims is None else float(sims[index]),
        "cross": 0.0 if in_lang[index] else 1.0,
        "words": math.log1p(words),
    }
