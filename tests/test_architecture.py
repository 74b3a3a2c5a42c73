"""The dependency rule of STYLE.md, checked on every module's imports (AST, so lazy imports count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAT_AND_HTTP = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp", "handlers", "playground")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def uses(names: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in roots)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", modules("bot"), ids=relative)
def test_bot_never_imports_a_chat_sdk_or_http(path: Path) -> None:
    allowed = {"handlers.server"} if relative(path) == "bot/cli.py" else set()
    assert [n for n in uses(imports(path), CHAT_AND_HTTP) if n not in allowed] == []


@pytest.mark.parametrize("path", modules("bot"), ids=relative)
def test_only_storage_imports_sqlalchemy(path: Path) -> None:
    if relative(path).startswith(("bot/storage/",)):
        return
    assert uses(imports(path), ("sqlalchemy", "alembic", "asyncpg", "aiosqlite")) == []


@pytest.mark.parametrize(
    "path", [*modules("bot"), *modules("handlers"), *modules("playground")], ids=relative
)
def test_only_knowledge_imports_the_search_libraries(path: Path) -> None:
    if relative(path).startswith("bot/knowledge/"):
        return
    assert uses(imports(path), ("rapidfuzz", "bm25s", "simplemma")) == []


@pytest.mark.parametrize(
    "path", [*modules("bot"), *modules("handlers"), *modules("playground")], ids=relative
)
def test_only_config_reads_the_environment(path: Path) -> None:
    if relative(path) == "bot/config.py":
        return
    source = path.read_text(encoding="utf-8")
    assert "os.environ" not in source
    assert "getenv(" not in source


@pytest.mark.parametrize("path", modules("handlers/slack"), ids=relative)
def test_slack_never_imports_teams(path: Path) -> None:
    assert [n for n in imports(path) if n.startswith(("handlers.teams", "botbuilder", "botframework"))] == []


@pytest.mark.parametrize("path", modules("handlers/teams"), ids=relative)
def test_teams_never_imports_slack(path: Path) -> None:
    assert [n for n in imports(path) if n.startswith(("handlers.slack", "slack_bolt", "slack_sdk"))] == []


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in [*modules("bot"), *modules("handlers"), *modules("playground")]
        if not relative(p).startswith("handlers/teams/")
    ],
    ids=relative,
)
def test_botbuilder_stays_inside_handlers_teams(path: Path) -> None:
    assert uses(imports(path), ("botbuilder", "botframework")) == []


def test_knowledge_base_folder_holds_data_only() -> None:
    assert [
        relative(p) for p in (ROOT / "knowledge_base").rglob("*") if p.is_file() and p.suffix != ".md"
    ] == []
