"""Benchmark data for the knowledge-base search: intent data sets as articles, typos, synthetic KBs."""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.articles import Article

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SHOTS = 10


@dataclass(frozen=True, slots=True)
class IntentData:
    """Intents as articles plus labelled queries; label None means out of scope."""

    articles: list[Article]
    train: dict[str, list[str]]  # every training utterance per intent (shots first)
    splits: dict[str, list[tuple[str, str | None]]]


def intent_articles(train: dict[str, list[str]], *, shots: int = SHOTS) -> list[Article]:
    """One English article per intent: title = intent name, questions = first `shots` utterances."""
    return [
        Article(
            id=name.replace("_", "-").lower(),
            lang="en",
            title=name.replace("_", " "),
            questions=tuple(utterances[:shots]),
            tags=(),
            owner=None,
            updated=None,
            body="",
            short_answer="",
            path=Path(f"{name}.md"),
        )
        for name, utterances in sorted(train.items())
    ]


def _article_id(label: str | None) -> str | None:
    return None if label is None else label.replace("_", "-").lower()


def banking77(root: Path = DATASETS) -> IntentData:
    def rows(name: str) -> list[tuple[str, str]]:
        with (root / "banking77" / name).open(encoding="utf-8") as f:
            return [(r["text"], r["category"]) for r in csv.DictReader(f)]

    train: dict[str, list[str]] = defaultdict(list)
    for text, label in rows("train.csv"):
        train[label].append(text)
    test = [(t, _article_id(label)) for t, label in rows("test.csv")]
    # Validation: training utterances beyond the shots (never the test split).
    val = [(t, _article_id(label)) for label, ts in sorted(train.items()) for t in ts[SHOTS:]]
    return IntentData(intent_articles(train), dict(train), {"test": test, "val": val})


def clinc150(root: Path = DATASETS) -> IntentData:
    data = json.loads((root / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    train: dict[str, list[str]] = defaultdict(list)
    for text, label in data["train"]:
        train[label].append(text)
    splits: dict[str, list[tuple[str, str | None]]] = {}
    for split in ("val", "test"):
        splits[split] = [(t, _article_id(label)) for t, label in data[split]]
        splits[f"oos_{split}"] = [(t, None) for t, _ in data[f"oos_{split}"]]
    return IntentData(intent_articles(train), dict(train), splits)


_KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbour(ch: str, rng: random.Random) -> str:
    for row in _KEYBOARD:
        i = row.find(ch)
        if i >= 0:
            return row[max(0, min(len(row) - 1, i + rng.choice((-1, 1))))]
    return ch


def add_typos(text: str, *, rng: random.Random, rate: float = 0.35) -> str:
    """One typo (swap, drop, double or neighbour key) in ~`rate` of the words longer than 3 letters."""
    words = text.split()
    for i, word in enumerate(words):
        if len(word) <= 3 or not word.isalpha() or rng.random() >= rate:
            continue
        j = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:
            word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        elif kind == 1:
            word = word[:j] + word[j + 1 :]
        elif kind == 2:
            word = word[:j] + word[j] + word[j:]
        else:
            word = word[:j] + _neighbour(word[j], rng) + word[j + 1 :]
        words[i] = word
    return " ".join(words)


def synthetic_articles(count: int, *, seed: int = 7) -> list[Article]:
    """`count` English articles made of real customer utterances (BANKING77 + CLINC150 train)."""
    rng = random.Random(seed)
    pool = [t for ts in banking77().train.values() for t in ts] + [
        t for ts in clinc150().train.values() for t in ts
    ]
    articles = []
    for n in range(count):
        questions = tuple(rng.sample(pool, 3))
        body = " ".join(rng.sample(pool, 8))
        articles.append(
            Article(
                id=f"synthetic-{n}",
                lang="en",
                title=" ".join(rng.choice(questions).split()[:6]),
                questions=questions,
                tags=(),
                owner=None,
                updated=None,
                body=body,
                short_answer=body[:200],
                path=Path(f"synthetic-{n}.md"),
            )
        )
    return articles
