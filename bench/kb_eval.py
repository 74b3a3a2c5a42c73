"""Knowledge-base search benchmark: accuracy, no-answer trade-off and speed, beside two baselines.

Run: `.venv/bin/python bench/kb_eval.py` (add `--calibrate` to refit the confidence map on CLINC150 val).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb_data import IntentData, add_typos, banking77, clinc150, synthetic_articles
from kb_multilingual import score_multilingual
from rapidfuzz import fuzz, process, utils

from bot.knowledge.articles import Article
from bot.knowledge.live import load_knowledge_base
from bot.knowledge.rerank import EmbeddingReranker
from bot.knowledge.search import Calibration, KnowledgeBase, Ranked

ROOT = Path(__file__).resolve().parents[1]
Predictor = Callable[[str], str | None]


def token_set_baseline(articles: Sequence[Article]) -> Predictor:
    choices = {f"{a.id}\x00{i}": q for a in articles for i, q in enumerate((a.title, *a.questions))}

    def predict(query: str) -> str | None:
        best = process.extractOne(
            query, choices, scorer=fuzz.token_set_ratio, processor=utils.default_process
        )
        return None if best is None else str(best[2]).split("\x00")[0]

    return predict


def bm25_baseline(articles: Sequence[Article]) -> Predictor:
    corpus = [" ".join((a.title, *a.questions)) for a in articles]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)

    def predict(query: str) -> str | None:
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return None
        docs, _ = retriever.retrieve(tokens, k=1, show_progress=False)
        return articles[int(docs[0][0])].id

    return predict


def ours(kb: KnowledgeBase) -> Predictor:
    def predict(query: str) -> str | None:
        ranked = kb.rank(query, "en")
        return ranked[0].article.id if ranked else None

    return predict


def embedding_row(
    kb: KnowledgeBase, test: Sequence[tuple[str, str | None]], typo: Sequence[tuple[str, str | None]]
) -> str:
    """The optional MiniLM re-ranker (extra `embeddings`) over the lexical top candidates."""
    name = "supportbot search + MiniLM re-ranker (extra `embeddings`)"
    reranker = EmbeddingReranker.for_articles(kb)
    if reranker is None:
        return f"| {name} | not installed | not installed |"
    cells = []
    for queries in (test, typo):
        vectors = reranker.encode([q for q, _ in queries])
        right = 0
        for (query, gold), vector in zip(queries, vectors, strict=True):
            ranked = reranker.rank(query, "en", query_vector=vector)
            right += bool(ranked) and ranked[0].ranked.article.id == gold
        cells.append(f"{100 * right / len(queries):.1f}%")
    return f"| {name} | {cells[0]} | {cells[1]} |"


def top1(predict: Predictor, queries: Sequence[tuple[str, str | None]]) -> float:
    return 100.0 * sum(predict(q) == gold for q, gold in queries) / len(queries)


def typo_copy(queries: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    rng = random.Random(1234)
    return [(add_typos(q, rng=rng), gold) for q, gold in queries]


def features(
    kb: KnowledgeBase, queries: Sequence[tuple[str, str | None]]
) -> list[tuple[Ranked | None, bool]]:
    out: list[tuple[Ranked | None, bool]] = []
    for query, gold in queries:
        ranked = kb.rank(query, "en")
        best = ranked[0] if ranked else None
        out.append((best, best is not None and best.article.id == gold))
    return out


def fit_calibration(rows: list[tuple[Ranked | None, bool]]) -> tuple[float, float, float, float]:
    """Logistic regression (Newton's method, light L2) of 'top-1 is right' on the three features."""
    data = [(r.coverage, r.margin, r.fuzzy, 1.0, float(ok)) for r, ok in rows if r is not None]
    x = np.array([d[:4] for d in data])
    y = np.array([d[4] for d in data])
    w = np.zeros(4)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        grad = x.T @ (p - y) + 1e-3 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(4)
        w -= np.linalg.solve(hess, grad)
    return float(w[0]), float(w[1]), float(w[2]), float(w[3])


def confidences(cal: Calibration, rows: list[tuple[Ranked | None, bool]]) -> list[tuple[float, bool]]:
    return [
        (0.0 if r is None else cal.confidence(coverage=r.coverage, margin=r.margin, fuzzy=r.fuzzy), ok)
        for r, ok in rows
    ]


def choose_threshold(inscope: list[tuple[float, bool]], oos: list[tuple[float, bool]]) -> float:
    """Highest in-scope answered-right rate among thresholds whose val OOS recall is >= 75%."""
    best_t, best_right = 1.0, -1.0
    for t in np.linspace(0.02, 0.98, 97):
        recall = sum(c < t for c, _ in oos) / len(oos)
        right = sum(c >= t and ok for c, ok in inscope) / len(inscope)
        if recall >= 0.75 and right > best_right:
            best_t, best_right = float(t), right
    return round(best_t, 2)


def tradeoff(
    cal: Calibration, inscope: list[tuple[Ranked | None, bool]], oos: list[tuple[Ranked | None, bool]]
) -> list[str]:
    ins, out = confidences(cal, inscope), confidences(cal, oos)
    lines = [
        "| threshold | in-scope answered right | answered wrong | abstained | OOS recall |",
        "|---|---|---|---|---|",
    ]
    for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        right = sum(c >= t and ok for c, ok in ins)
        wrong = sum(c >= t and not ok for c, ok in ins)
        lines.append(
            f"| {t:.1f} | {100 * right / len(ins):.1f}% | {100 * wrong / len(ins):.1f}% "
            f"| {100 * (len(ins) - right - wrong) / len(ins):.1f}% "
            f"| {100 * sum(c < t for c, _ in out) / len(out):.1f}% |"
        )
    return lines


def _rss() -> int:
    """Resident set size in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def speed(articles: Sequence[Article], queries: Sequence[str]) -> tuple[float, float, float, float]:
    """(build seconds, peak MiB while building, p50 ms, p99 ms) for `search` on `articles`."""
    gc.collect()
    before = _rss()
    start = time.perf_counter()
    kb = KnowledgeBase.from_articles(articles)
    build = time.perf_counter() - start
    peak = max(0, _rss() - before)
    for q in queries[:50]:
        kb.search(q)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        kb.search(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return build, peak / 2**20, statistics.median(times), times[int(0.99 * (len(times) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calibrate", action="store_true", help="refit the confidence map on CLINC150 val")
    args = parser.parse_args()

    bank = banking77()
    kb_bank = KnowledgeBase.from_articles(bank.articles)
    test, typo = bank.splits["test"], typo_copy(bank.splits["test"])
    print("## BANKING77, 10 examples per intent, top-1 on test (3,080)\n")
    print("| method | test | typo-injected test |\n|---|---|---|")
    for name, predict in (
        ("rapidfuzz extractOne token_set_ratio (baseline)", token_set_baseline(bank.articles)),
        ("bm25s, one document per article (baseline)", bm25_baseline(bank.articles)),
        ("supportbot search", ours(kb_bank)),
    ):
        print(f"| {name} | {top1(predict, test):.1f}% | {top1(predict, typo):.1f}% |")
    print(embedding_row(kb_bank, test, typo))

    clinc: IntentData = clinc150()
    kb_clinc = KnowledgeBase.from_articles(clinc.articles)
    cal = kb_clinc.calibration
    val_in, val_oos = features(kb_clinc, clinc.splits["val"]), features(kb_clinc, clinc.splits["oos_val"])
    if args.calibrate:
        cw = fit_calibration(val_in + val_oos)
        cal = Calibration(cw[0], cw[1], cw[2], cw[3], answer_threshold=0.5, suggest_threshold=0.0)
        print(f"\nfitted on val: coverage={cw[0]:.3f} margin={cw[1]:.3f} fuzzy={cw[2]:.3f} bias={cw[3]:.3f}")
    threshold = choose_threshold(confidences(cal, val_in), confidences(cal, val_oos))
    test_in, test_oos = features(kb_clinc, clinc.splits["test"]), features(kb_clinc, clinc.splits["oos_test"])
    ins, out = confidences(cal, test_in), confidences(cal, test_oos)
    print(
        "\n## CLINC150, 10 examples per intent (threshold chosen on val/oos_val, scored on test/oos_test)\n"
    )
    print(
        "| method | in-scope top-1 | in-scope answered right at threshold | OOS recall |\n|---|---|---|---|"
    )
    for name, predict in (
        ("rapidfuzz extractOne token_set_ratio (baseline)", token_set_baseline(clinc.articles)),
        ("bm25s, one document per article (baseline)", bm25_baseline(clinc.articles)),
    ):
        print(f"| {name} | {top1(predict, clinc.splits['test']):.1f}% | n/a | n/a |")
    print(
        f"| supportbot search (threshold {threshold:.2f}; shipped {cal.answer_threshold:.2f}) "
        f"| {100 * sum(ok for _, ok in ins) / len(ins):.1f}% "
        f"| {100 * sum(c >= threshold and ok for c, ok in ins) / len(ins):.1f}% "
        f"| {100 * sum(c < threshold for c, _ in out) / len(out):.1f}% |"
    )
    print("\nTrade-off on CLINC150 test (in-scope 4,500; out-of-scope 1,000):\n")
    print("\n".join(tradeoff(cal, test_in, test_oos)))

    print("\n## Own multilingual queries (tests/unit/knowledge/queries.yaml) on the bundled KB\n")
    bundled, _problems = load_knowledge_base(ROOT / "knowledge_base")
    print("\n".join(score_multilingual(bundled)))

    print("\n## Speed (search() per query, in-process; memory = growth of the resident set while building)\n")
    print("| knowledge base | articles | build | memory | p50 | p99 |\n|---|---|---|---|---|---|")
    queries = [q for q, _ in clinc.splits["test"][:1500]]
    for name, articles in (
        ("bundled knowledge_base/", bundled.articles()),
        ("synthetic 1,000", synthetic_articles(1000)),
        ("synthetic 10,000", synthetic_articles(10000)),
    ):
        build, mem, p50, p99 = speed(articles, queries)
        print(f"| {name} | {len(articles)} | {build:.2f} s | {mem:.0f} MiB | {p50:.2f} ms | {p99:.2f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
