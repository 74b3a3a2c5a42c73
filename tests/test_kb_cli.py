"""`supportbot kb search` / `kb check` per DESIGN.md section 2, through `python -m bot`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase
from bot.knowledge.articles import load_articles

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_KB = ROOT / "knowledge_base"
KB_DEV = ROOT.parent / "shared" / "datasets" / "kb-dev"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One model cache for the module's CLI runs, filled here once (the CLI runs only load it)."""
    folder = tmp_path_factory.mktemp("kb-cache")
    KnowledgeBase.from_articles(load_articles(BUNDLED_KB)[0], cache_dir=folder)
    return str(folder)


def _run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "kb", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        check=False,
    )


def test_search_json_prints_one_object_with_answer_and_candidates(cache: str) -> None:
    proc = _run(
        "search",
        "zwrot",
        "bez",
        "paragonu",
        "--kb",
        str(BUNDLED_KB),
        "--json",
        "--no-encoder",
        "--cache-dir",
        cache,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == {"query", "lang", "answer", "candidates"}
    assert (obj["query"], obj["lang"]) == ("zwrot bez paragonu", "pl")
    assert obj["answer"]["id"] == "returns-without-receipt"
    assert set(obj["answer"]) == {"id", "lang", "title", "score"}
    assert len(obj["candidates"]) == 3
    assert obj["candidates"][0] == obj["answer"]
    assert all(0.0 <= c["score"] <= 1.0 for c in obj["candidates"])


def test_stdin_gives_one_line_per_query_in_order_with_null_answer_and_exit_0(cache: str) -> None:
    queries = "paket je stigao ostecen\nwhat's the weather in Zagreb tomorrow\nпосилка прийшла пошкоджена\n"
    proc = _run(
        "search",
        "--stdin",
        "--json",
        "--top",
        "2",
        "--kb",
        str(BUNDLED_KB),
        "--no-encoder",
        "--cache-dir",
        cache,
        stdin=queries,
    )
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["query"] for o in objs] == queries.splitlines()
    assert [o["lang"] for o in objs] == ["hr", "en", "uk"]
    assert objs[1]["answer"] is None
    assert objs[2]["answer"]["lang"] == "uk"
    assert all(len(o["candidates"]) <= 2 for o in objs)


def test_lang_hint_is_reported_for_an_ambiguous_query(cache: str) -> None:
    proc = _run(
        "search",
        "ok",
        "--lang",
        "hr",
        "--json",
        "--kb",
        str(BUNDLED_KB),
        "--no-encoder",
        "--cache-dir",
        cache,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["lang"] == "hr"


def test_an_unknown_lang_is_refused_with_the_known_ones() -> None:
    proc = _run("search", "ok", "--lang", "de", "--json", "--kb", str(BUNDLED_KB))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "unknown --lang 'de'; known: en, pl, uk, hr" in proc.stderr


def test_the_search_path_loads_no_lemmatiser_no_bm25_and_no_scikit_learn(cache: str) -> None:
    """With the model cached, a search needs neither simplemma's dictionaries nor the fitting libraries."""
    args = [
        "kb",
        "search",
        "zwrot bez paragonu",
        "--kb",
        str(BUNDLED_KB),
        "--no-encoder",
        "--cache-dir",
        cache,
    ]
    script = (
        "import runpy, sys\n"
        f"sys.argv = ['supportbot', *{args!r}]\n"
        "try:\n    runpy.run_module('bot', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "from bot.knowledge import analysis\n"
        "print(sorted(m for m in ('sklearn', 'bm25s', 'scipy') if m in sys.modules), analysis._lemma.cache_info().currsize)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[] 0"
    assert "DEBUG" not in proc.stderr


@pytest.mark.skipif(not KB_DEV.is_dir(), reason="kb-dev data set not found at ../shared/datasets/kb-dev")
def test_a_polish_question_about_an_english_only_article_is_answered_in_english() -> None:
    query = "na stronie była zła cena telewizora, 49 zł zamiast 4999, czy musimy wysłać te zamówienia?"
    proc = _run("search", query, "--kb", str(KB_DEV / "kb"), "--json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["lang"] == "pl"
    assert obj["candidates"][0]["id"] == "price-errors"
    assert obj["candidates"][0]["lang"] == "en"


def test_search_exits_2_when_the_folder_cannot_be_read(tmp_path: Path) -> None:
    proc = _run("search", "anything", "--kb", str(tmp_path / "missing"), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""


def test_check_exits_1_with_one_path_reason_line_per_problem(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("---\nid: ok\nlang: en\ntitle: Fine\n---\nBody.\n", encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text("---\nid: bad\nlang: en\n---\nBody.\n", encoding="utf-8")
    proc = _run("check", "--kb", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [f"{bad}: missing required field 'title'"]


def test_check_exits_0_on_the_bundled_knowledge_base() -> None:
    proc = _run("check", "--kb", str(BUNDLED_KB))
    assert proc.returncode == 0, proc.stdout
    assert " articles, " in proc.stdout


def test_check_exits_2_when_the_folder_cannot_be_read(tmp_path: Path) -> None:
    assert _run("check", "--kb", str(tmp_path / "missing")).returncode == 2


def test_kb_paths_with_dot_dot_and_a_dot_folder_load_every_article(tmp_path: Path) -> None:
    """Only the parts below the knowledge-base root decide what is hidden, not the root's own path."""
    bundled, _ = load_articles(BUNDLED_KB)
    dotted = tmp_path / "srv" / ".config" / "kb"
    shutil.copytree(BUNDLED_KB, dotted)
    (dotted / ".drafts").mkdir()
    shutil.copy(next(BUNDLED_KB.rglob("*.md")), dotted / ".drafts" / "draft.md")  # hidden below the root
    (tmp_path / "work").mkdir()

    for root in (dotted, tmp_path / "work" / ".." / "srv" / ".config" / "kb"):
        articles, problems = load_articles(root)
        assert problems == []
        assert len(articles) == len(bundled), root
    proc = _run("check", "--kb", "../srv/.config/kb", cwd=tmp_path / "work")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"{len(bundled)} articles")


def test_check_on_a_folder_without_articles_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = _run("check", "--kb", str(tmp_path / "empty"))
    assert proc.returncode == 1
    assert proc.stdout.strip() == f"no articles under {tmp_path / 'empty'}"
