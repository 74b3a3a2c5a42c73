"""Knowledge-base search benchmark: kb-dev, BANKING77, CLINC150 and speed, each beside baselines run here.

Run: `.venv/bin/python bench/kb_eval.py` (`--large` adds the 10,000-article latency row).
Methods: the learned ranker with the bundled encoder (what the bot runs), the ranker without it, the
lexical search it replaced (bot/knowledge/lexical.py) and plain bm25s / rapidfuzz baselines.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bm25s

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb_data import IntentData, add_typos, banking77, clinc150, synthetic_articles
from kb_dev import KB_DEV, DevQuery, dev_queries, scorer, summary, tallies
from rapidfuzz import fuzz, process, utils

from bot.knowledge.articles import Article, load_articles
from bot.knowledge.encoder import Encoder, load_encoder
from bot.knowledge.lexical import LexicalSearch
from bot.knowledge.search import KnowledgeBase

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


def lexical(kb: LexicalSearch) -> Predictor:
    def predict(query: str) -> str | None:
        ranked = kb.rank(query, "en")
        return ranked[0].article.id if ranked else None

    return predict


def ranker_top1(kb: KnowledgeBase, queries: Sequence[tuple[str, str | None]]) -> float:
    """Top-1 of the learned ranker's fused ranking (answer or not), encoder batched when present."""
    raws = kb.raw_many([q for q, _ in queries])
    right = 0
    for (query, gold), raw in zip(queries, raws, strict=True):
        result = kb.decide(query, raw, top=1)
        right += bool(result.candidates) and result.candidates[0].id == gold
    return 100.0 * right / len(queries)


def top1(predict: Predictor, queries: Sequence[tuple[str, str | None]]) -> float:
    return 100.0 * sum(predict(q) == gold for q, gold in queries) / len(queries)


def typo_copy(queries: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    rng = random.Random(1234)
    return [(add_typos(q, rng=rng), gold) for q, gold in queries]


def _rss() -> int:
    """Resident set size in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def speed(
    articles: Sequence[Article], queries: Sequence[str], *, encoder: Encoder | None
) -> tuple[float, float, float, float]:
    """(build seconds, memory MiB, p50 ms, p99 ms) for `search` on `articles` (fresh cache: a real fit)."""
    gc.collect()
    before = _rss()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        kb = KnowledgeBase.from_articles(articles, encoder=encoder, cache_dir=Path(cache))
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


Answers = list[tuple[str | None, list[str]]]


def dev_bm25(articles: Sequence[Article], queries: Sequence[DevQuery]) -> Answers:
    """Plain bm25s, one document per article version, no stop words, always answering its first hit."""
    retriever = bm25s.BM25()
    corpus = [" ".join((a.title, *a.questions, a.body)) for a in articles]
    retriever.index(bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False)
    out: Answers = []
    for q in queries:
        tokens = bm25s.tokenize([q.text], stopwords=None, show_progress=False)
        docs, _ = retriever.retrieve(tokens, k=min(12, len(articles)), show_progress=False)
        ids = list(dict.fromkeys(articles[int(d)].id for d in docs[0]))[:3]
        out.append((ids[0] if ids else None, ids))
    return out


def dev_lexical(articles: Sequence[Article], queries: Sequence[DevQuery]) -> Answers:
    kb = LexicalSearch.from_articles(articles)
    results = [kb.search(q.text) for q in queries]
    return [(r.answer.id if r.answer else None, [c.id for c in r.candidates[:3]]) for r in results]


def dev_ranker(articles: Sequence[Article], queries: Sequence[DevQuery], encoder: Encoder | None) -> Answers:
    kb = KnowledgeBase.from_articles(articles, encoder=encoder)
    raws = kb.raw_many([q.text for q in queries])
    results = [kb.decide(q.text, raw) for q, raw in zip(queries, raws, strict=True)]
    return [(r.answer.id if r.answer else None, [c.id for c in r.candidates[:3]]) for r in results]


def kb_dev_section(encoder: Encoder | None) -> None:
    if not (KB_DEV / "score.py").is_file():
        print("## kb-dev: not found at ../shared/datasets/kb-dev\n")
        return
    articles, _ = load_articles(KB_DEV / "kb")
    queries = dev_queries()
    score = scorer()
    methods: list[tuple[str, Callable[[], Answers]]] = [
        ("plain bm25s, one document per article version (baseline)", lambda: dev_bm25(articles, queries)),
        ("lexical search before this change (baseline)", lambda: dev_lexical(articles, queries)),
        ("learned ranker, no encoder", lambda: dev_ranker(articles, queries, None)),
    ]
    if encoder is not None:
        methods.append(
            ("learned ranker + bundled encoder (shipped)", lambda: dev_ranker(articles, queries, encoder))
        )
    print("## kb-dev (development set: 360 queries, scorer's columns; dev figures)\n")
    lines = []
    for name, run in methods:
        figures: dict[str, Any] = tallies(queries, run())
        print(f"### {name}\n\n```")
        score.print_table("language", figures["lang"], score.LANG_ORDER)
        score.print_table("kind", figures["kind"], score.KIND_ORDER)
        print("```\n")
        lines.append(f"- {name}: {summary(figures['total'])}")
    print("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also time the 10,000-article knowledge base")
    args = parser.parse_args()
    encoder = load_encoder()
    kb_dev_section(encoder)

    bank = banking77()
    test, typo = bank.splits["test"], typo_copy(bank.splits["test"])
    print("## BANKING77, 10 examples per intent, top-1 on test (3,080)\n")
    print("| method | test | typo-injected test |\n|---|---|---|")
    lex = LexicalSearch.from_articles(bank.articles)
    for name, predict in (
        ("rapidfuzz extractOne token_set_ratio (baseline)", token_set_baseline(bank.articles)),
        ("bm25s, one document per article (baseline)", bm25_baseline(bank.articles)),
        ("lexical search before this change (baseline)", lexical(lex)),
    ):
        print(f"| {name} | {top1(predict, test):.1f}% | {top1(predict, typo):.1f}% |")
    rankers: list[tuple[str, Encoder | None]] = [("learned ranker, no encoder", None)]
    if encoder is not None:
        rankers.append(("learned ranker + bundled encoder", encoder))
    for name, enc in rankers:
        kb = KnowledgeBase.from_articles(bank.articles, encoder=enc)
        typo_cell = f"{ranker_top1(kb, typo):.1f}%" if enc is None else "not run (encoder time)"
        print(f"| {name} | {ranker_top1(kb, test):.1f}% | {typo_cell} |")

    clinc: IntentData = clinc150()
    print("\n## CLINC150, 10 examples per intent, in-scope top-1 on test (4,500)\n")
    print("| method | in-scope top-1 |\n|---|---|")
    clinc_test = clinc.splits["test"]
    for name, predict in (
        ("rapidfuzz extractOne token_set_ratio (baseline)", token_set_baseline(clinc.articles)),
        ("bm25s, one document per article (baseline)", bm25_baseline(clinc.articles)),
        (
            "lexical search before this change (baseline)",
            lexical(LexicalSearch.from_articles(clinc.articles)),
        ),
    ):
        print(f"| {name} | {top1(predict, clinc_test):.1f}% |")
    print(
        f"| learned ranker, no encoder | {ranker_top1(KnowledgeBase.from_articles(clinc.articles), clinc_test):.1f}% |"
    )

    print("\n## Speed (search() per query in-process, encoder included; build = fit + embed, no cache)\n")
    print(
        "| knowledge base | articles | encoder | build | memory | p50 | p99 |\n|---|---|---|---|---|---|---|"
    )
    bundled, _ = load_articles(ROOT / "knowledge_base")
    queries = [q for q, _ in clinc_test[:1000]]
    sizes: list[tuple[str, list[Article], bool]] = [
        ("bundled knowledge_base/", bundled, True),
        ("synthetic 1,000", synthetic_articles(1000), False),
    ]
    if args.large:
        sizes.append(("synthetic 10,000", synthetic_articles(10000), False))
    for name, articles, with_encoder in sizes:
        for enc in (None, encoder) if encoder and with_encoder else (None,):
            build, mem, p50, p99 = speed(articles, queries, encoder=enc)
            print(
                f"| {name} | {len(articles)} | {'yes' if enc else 'no'} | {build:.1f} s | {mem:.0f} MiB "
                f"| {p50:.1f} ms | {p99:.1f} ms |"
            )
    if encoder is not None:
        times = []
        for q in queries[:300]:
            t0 = time.perf_counter()
            encoder.queries([q])
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(
            f"\nThe encoder call alone (one query, {len(times)} queries): p50 {statistics.median(times):.1f} ms, "
            f"p99 {times[int(0.99 * (len(times) - 1))]:.1f} ms; it does not depend on the number of articles."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
