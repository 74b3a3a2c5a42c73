"""The `supportbot kb search` and `kb check` commands (contract in DESIGN.md section 2)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot.knowledge.analysis import LANGUAGES
from bot.knowledge.articles import load_articles
from bot.knowledge.encoder import load_encoder
from bot.knowledge.search import KnowledgeBase, SearchHit, SearchResult

__all__ = ["register", "result_json", "run_check", "run_search"]

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], *, default_kb: Callable[[], str]
) -> None:
    """Add `kb search` and `kb check`; each parser's `func(args) -> int` runs it. `default_kb` is asked
    only when `--kb` is not given (it reads KB_PATH)."""
    kb = subparsers.add_parser("kb", help="search and validate the knowledge base")
    commands = kb.add_subparsers(dest="kb_command", required=True)

    search = commands.add_parser("search", help="search the knowledge base")
    search.add_argument("query", nargs="*", help="the query (words are joined with spaces)")
    search.add_argument(
        "--kb", default=None, help="knowledge-base folder (default: KB_PATH or knowledge_base)"
    )
    search.add_argument("--lang", default=None, help="language hint for the query (ISO 639-1)")
    search.add_argument("--top", type=int, default=3, help="number of candidates (default 3)")
    search.add_argument("--json", action="store_true", help="one JSON object per query, one per line")
    search.add_argument("--stdin", action="store_true", help="read one query per line from standard input")
    search.add_argument(
        "--no-encoder", action="store_true", help="rank without the bundled multilingual encoder"
    )
    search.add_argument(
        "--cache-dir", default=None, help="where fitted models are kept (default ~/.cache/supportbot/kb)"
    )
    search.set_defaults(func=run_search, default_kb=default_kb)

    check = commands.add_parser("check", help="validate every article")
    check.add_argument(
        "--kb", default=None, help="knowledge-base folder (default: KB_PATH or knowledge_base)"
    )
    check.set_defaults(func=run_check, default_kb=default_kb)


def _kb_path(args: argparse.Namespace) -> Path:
    if args.kb is not None:
        return Path(args.kb)
    default: Callable[[], str] | None = getattr(args, "default_kb", None)
    return Path(default() if default else "knowledge_base")


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    return {"id": hit.id, "lang": hit.lang, "title": hit.title, "score": hit.score}


def result_json(result: SearchResult) -> dict[str, Any]:
    """The JSON object `kb search --json` prints for one query."""
    return {
        "query": result.query,
        "lang": result.lang,
        "answer": None if result.answer is None else _hit_json(result.answer),
        "candidates": [_hit_json(h) for h in result.candidates],
    }


def _text(result: SearchResult, out: TextIO) -> None:
    if result.answer is not None:
        a = result.answer
        print(f"{result.query!r} [{result.lang}] -> {a.id} ({a.lang}, {a.score:.2f}): {a.title}", file=out)
        if a.short_answer:
            print(f"  {a.short_answer}", file=out)
    else:
        print(f"{result.query!r} [{result.lang}] -> no confident answer", file=out)
    for hit in result.candidates:
        print(f"  {hit.score:.2f}  {hit.id} ({hit.lang})  {hit.title}", file=out)


def run_search(args: argparse.Namespace, *, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Exit 0 when the search ran (also with no answer); 2 when the folder cannot be read or --lang is unknown."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    if args.lang is not None and args.lang not in LANGUAGES:
        print(
            f"supportbot kb search: unknown --lang {args.lang!r}; known: {', '.join(LANGUAGES)}",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    try:
        articles, _ = load_articles(_kb_path(args))
    except OSError as exc:
        print(f"supportbot kb: cannot read knowledge base {args.kb}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    kb = KnowledgeBase.from_articles(
        articles,
        encoder=None if args.no_encoder else load_encoder(),
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
    )
    if args.stdin:
        queries = [line.strip() for line in stdin if line.strip()]
    else:
        queries = [" ".join(args.query)] if args.query else []
    if not queries and not args.stdin:
        print("supportbot kb search: no query given", file=sys.stderr)
        return EXIT_PROBLEMS
    for query in queries:
        result = kb.search(query, lang_hint=args.lang, top=max(1, args.top))
        if args.json:
            print(json.dumps(result_json(result), ensure_ascii=False), file=out)
        else:
            _text(result, out)
    return EXIT_OK


def run_check(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """Exit 0 when every article is valid; 1 with one `path: reason` line per problem, or when there are
    no articles at all ("no articles under PATH"); 2 if unreadable."""
    out = out or sys.stdout
    try:
        articles, problems = load_articles(_kb_path(args))
    except OSError as exc:
        print(f"supportbot kb: cannot read knowledge base {args.kb}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    for problem in problems:
        print(f"{problem.path}: {problem.reason}", file=out)
    if problems:
        return EXIT_PROBLEMS
    if not articles:  # a wrong --kb or KB_PATH must not pass as "0 articles"
        print(f"no articles under {_kb_path(args)}", file=out)
        return EXIT_PROBLEMS
    langs = sorted({a.lang for a in articles})
    print(
        f"{len(articles)} articles, {len({a.id for a in articles})} ids, languages: {', '.join(langs)}",
        file=out,
    )
    return EXIT_OK
