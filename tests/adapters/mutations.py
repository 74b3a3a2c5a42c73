"""Hypothesis strategies that mutate recorded chat payloads: a field gets a value of another JSON type,
disappears, or has NUL and a lone surrogate appended; for the fuzz tests of both platforms."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

JSON = dict[str, Any]
Path = tuple[str | int, ...]

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "\x00", "\ud800", "U0JAN", "CS-1", "1e999", "[]", "{}"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path to a value inside `value` (dict keys and list indices), parents before children."""
    found: list[Path] = []
    items: list[tuple[str | int, Any]] = (
        list(value.items())
        if isinstance(value, dict)
        else list(enumerate(value))
        if isinstance(value, list)
        else []
    )
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def _parent(value: Any, path: Path) -> Any:
    for key in path[:-1]:
        value = value[key]
    return value


@st.composite
def mutated(draw: st.DrawFn, seeds: list[JSON], *, at_most: int = 3) -> tuple[int, JSON]:
    """(index of the seed, a deep copy of it with 1..`at_most` mutations)."""
    index = draw(st.integers(min_value=0, max_value=len(seeds) - 1))
    payload = copy.deepcopy(seeds[index])
    for _ in range(draw(st.integers(min_value=1, max_value=at_most))):
        candidates = paths(payload)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent, key = _parent(payload, path), path[-1]
        how = draw(st.sampled_from(["retype", "retype", "drop", "garble"]))
        if how == "drop" and isinstance(parent, dict):
            del parent[key]
        elif how == "garble" and isinstance(parent[key], str):
            parent[key] = parent[key] + "\x00\ud800"
        else:
            parent[key] = draw(ODD_VALUES)
    return index, payload


class LoopErrors:
    """Collects what reaches the event loop's exception handler ("Task exception was never retrieved")."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, loop: Any, context: dict[str, Any]) -> None:
        self.seen.append(f"{context.get('message')}: {context.get('exception')!r}")
