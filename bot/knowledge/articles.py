"""Knowledge-base articles: reading Markdown files with YAML front matter and validating them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["Article", "KbProblem", "load_articles", "parse_article", "read_article"]

_ID_RE = re.compile(r"^[a-z0-9-]+$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: ~10x faster
_FRONT_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Article:
    """One language version of one article; `short_answer` is the body's first paragraph."""

    id: str
    lang: str
    title: str
    questions: tuple[str, ...]
    tags: tuple[str, ...]
    owner: str | None
    updated: dt.date | None
    body: str
    short_answer: str
    path: Path


@dataclass(frozen=True, slots=True)
class KbProblem:
    """A file that could not be loaded (or a conflict between files), with the reason."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ArticleError(ValueError):
    """Raised by `parse_article` with the reason a file is not a valid article."""


def _first_paragraph(body: str) -> str:
    for block in re.split(r"\n[ \t]*\n", body.strip()):
        text = block.strip()
        if text and not text.startswith("#"):
            return " ".join(line.strip() for line in text.splitlines())
    return ""


def _str_list(meta: dict[object, object], key: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise ArticleError(f"'{key}' must be a list of strings")


def parse_article(text: str, path: Path) -> Article:
    """Parse one article file's text; raises `ArticleError` saying what is wrong."""
    match = _FRONT_RE.match(text.lstrip("\ufeff"))
    if match is None:
        raise ArticleError("no YAML front matter (the file must start with a '---' line and close it)")
    try:
        meta = yaml.load(match.group(1), Loader=_LOADER)  # a safe loader (C or Python)
    except yaml.YAMLError as exc:
        raise ArticleError(f"front matter is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(meta, dict):
        raise ArticleError("front matter must be a YAML mapping")
    for key in ("id", "lang", "title"):
        if meta.get(key) in (None, ""):
            raise ArticleError(f"missing required field '{key}'")
    article_id, lang, title = str(meta["id"]).strip(), str(meta["lang"]).strip(), str(meta["title"]).strip()
    if not _ID_RE.match(article_id):
        raise ArticleError(f"id {article_id!r} must match [a-z0-9-]+")
    if not _LANG_RE.match(lang):
        raise ArticleError(f"lang {lang!r} must be a two-letter ISO 639-1 code")
    updated = meta.get("updated")
    if isinstance(updated, str):
        try:
            updated = dt.date.fromisoformat(updated)
        except ValueError as exc:
            raise ArticleError(f"updated {updated!r} is not an ISO date") from exc
    if updated is not None and not isinstance(updated, dt.date):
        raise ArticleError("updated must be an ISO date")
    owner = meta.get("owner")
    body = match.group(2).strip()
    return Article(
        id=article_id,
        lang=lang,
        title=title,
        questions=_str_list(meta, "questions"),
        tags=_str_list(meta, "tags"),
        owner=None if owner is None else str(owner),
        updated=updated,
        body=body,
        short_answer=_first_paragraph(body),
        path=path,
    )


def read_article(path: Path) -> Article:
    """Read and parse one file; raises `ArticleError` (unreadable files included)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError("not UTF-8 text") from exc
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror or exc}") from exc
    return parse_article(text, path)


def article_files(root: Path) -> list[Path]:
    """Every `*.md` file under `root` (hidden files and folders skipped), sorted."""
    return sorted(p for p in root.rglob("*.md") if p.is_file() and not is_hidden(p, root=root))


def is_hidden(path: Path, *, root: Path) -> bool:
    """Whether `path` is hidden: a part of it BELOW `root` starts with a dot. The root's own parts never
    count, so `../kb` and `/srv/.config/kb` are ordinary knowledge-base folders."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        try:
            relative = path.resolve().relative_to(root.resolve())
        except ValueError:
            relative = Path(path.name)
    return any(part.startswith(".") for part in relative.parts)


def resolve_duplicates(articles: Iterable[Article]) -> tuple[list[Article], list[KbProblem]]:
    """Keep the first article (by path) per (id, lang); report each later one."""
    kept: dict[tuple[str, str], Article] = {}
    problems: list[KbProblem] = []
    for article in sorted(articles, key=lambda a: str(a.path)):
        key = (article.id, article.lang)
        first = kept.get(key)
        if first is None:
            kept[key] = article
        else:
            problems.append(
                KbProblem(
                    article.path, f"duplicate id {article.id!r} in lang {article.lang!r} ({first.path})"
                )
            )
    return list(kept.values()), problems


def load_articles(root: Path) -> tuple[list[Article], list[KbProblem]]:
    """Load every article under `root`; each bad file becomes a `KbProblem`, the rest still load.

    Raises `OSError` only when `root` itself cannot be read (not a directory, no permission).
    """
    if not root.is_dir():
        raise NotADirectoryError(f"{root}: not a knowledge-base folder")
    list(root.iterdir())  # surfaces PermissionError for the folder itself
    parsed: list[Article] = []
    problems: list[KbProblem] = []
    for path in article_files(root):
        try:
            parsed.append(read_article(path))
        except ArticleError as exc:
            problems.append(KbProblem(path, str(exc)))
    articles, duplicates = resolve_duplicates(parsed)
    return articles, problems + duplicates
