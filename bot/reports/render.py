"""Figures as people read them: a text table (CLI), JSON (scripts), a summary card (chat), in a language."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from bot.i18n import language_of, languages, t
from bot.models import PersonId
from bot.reports.figures import CaseFigures, Csat, Durations, Figures, KnowledgeFigures, Targets

DASH = "–"
UTC_ZONE = ZoneInfo("UTC")


def _locale(lang: str) -> str:
    """The Babel locale of a language of the registry (en -> en_GB)."""
    return languages.language(language_of(lang)).locale


def number(value: float, lang: str) -> str:
    return format_decimal(value, format="#,##0.#", locale=_locale(lang))


def percent(value: float | None, lang: str) -> str:
    return DASH if value is None else format_percent(value, format="#,##0%", locale=_locale(lang))


def minutes(value: float | None, lang: str) -> str:
    """Minutes as "12 min", "3.5 h" or "2 d" in the language's number format."""
    if value is None:
        return DASH
    locale = _locale(lang)
    if value < 90:
        return str(format_unit(round(value, 1), "duration-minute", length="short", locale=locale))
    if value < 48 * 60:
        return str(format_unit(round(value / 60, 1), "duration-hour", length="short", locale=locale))
    return str(format_unit(round(value / 1440, 1), "duration-day", length="short", locale=locale))


def durations(d: Durations, lang: str) -> str:
    return DASH if not d.n else " / ".join(minutes(v, lang) for v in (d.p50, d.p90, d.max))


def targets(x: Targets, lang: str) -> str:
    return t(
        lang,
        "report.targets",
        met=number(x.met, lang),
        missed=number(x.missed, lang),
        pending=number(x.pending, lang),
    )


def csat(c: Csat, lang: str) -> str:
    if not c.answered:
        return DASH
    return t(
        lang,
        "report.csat_value",
        rate=percent(c.rate, lang),
        yes=number(c.yes, lang),
        partly=number(c.partly, lang),
        no=number(c.no, lang),
    )


Column = tuple[str, Callable[[CaseFigures, str], str]]
COLUMNS: tuple[Column, ...] = (
    ("report.col.opened", lambda f, lang: number(f.opened, lang)),
    ("report.col.claimed", lambda f, lang: number(f.claimed, lang)),
    ("report.col.resolved", lambda f, lang: number(f.resolved, lang)),
    ("report.col.reopened", lambda f, lang: number(f.reopened, lang)),
    ("report.col.cancelled", lambda f, lang: number(f.cancelled, lang)),
    ("report.col.claim_time", lambda f, lang: durations(f.time_to_claim, lang)),
    ("report.col.claim_target", lambda f, lang: targets(f.claim_target, lang)),
    ("report.col.resolve_time", lambda f, lang: durations(f.time_to_resolve, lang)),
    ("report.col.resolve_target", lambda f, lang: targets(f.resolve_target, lang)),
    ("report.col.repings", lambda f, lang: number(f.repings, lang)),
    ("report.col.supervisors", lambda f, lang: number(f.to_supervisors, lang)),
    ("report.col.reopen_rate", lambda f, lang: percent(f.reopen_rate, lang)),
    ("report.col.csat", lambda f, lang: csat(f.csat, lang)),
)


def dates(figures: Figures, lang: str, zone: ZoneInfo = UTC_ZONE) -> tuple[str, str]:
    """The first and last local day of the period, as the language writes dates."""
    locale = _locale(lang)
    first = figures.period.start.astimezone(zone).date()
    last = (figures.period.end - timedelta(microseconds=1)).astimezone(zone).date()
    return format_date(first, format="medium", locale=locale), format_date(
        last, format="medium", locale=locale
    )


def title(figures: Figures, lang: str, zone: ZoneInfo = UTC_ZONE) -> str:
    start, end = dates(figures, lang, zone)
    return t(lang, "report.title", start=start, end=end)


def knowledge_lines(k: KnowledgeFigures, lang: str) -> list[str]:
    lines = [
        t(
            lang,
            "report.kb.line",
            asked=number(k.asked, lang),
            answered=number(k.answered, lang),
            suggested=number(k.suggested, lang),
            unanswered=number(k.unanswered, lang),
            helpful=percent(k.helpful_rate, lang),
            escalated=number(k.escalated, lang),
        ),
    ]
    if k.top_unanswered:
        lines.append(t(lang, "report.kb.top_unanswered"))
        lines += [
            t(lang, "report.kb.item", count=number(g.count, lang), text=g.text) for g in k.top_unanswered
        ]
    if k.top_not_helpful:
        lines.append(t(lang, "report.kb.top_not_helpful"))
        lines += [
            t(lang, "report.kb.item", count=number(g.count, lang), text=g.text) for g in k.top_not_helpful
        ]
    return lines


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def text_table(figures: Figures, lang: str, *, names: Mapping[PersonId, str] | None = None) -> str:
    """The CLI report: one row per metric, one column per region and the total; then coordinators, KB."""
    slices: list[tuple[str, CaseFigures]] = [
        *figures.regions.items(),
        (t(lang, "report.total"), figures.total),
    ]
    rows = [["", *(name for name, _ in slices)]]
    rows += [[t(lang, key), *(render(f, lang) for _, f in slices)] for key, render in COLUMNS]
    out = [title(figures, lang), ""]
    if not figures.total.opened and not figures.regions:
        out.append(t(lang, "report.no_cases"))
    else:
        out += _table(rows)
    if figures.regions and any(f.business_hours for f in figures.regions.values()):
        hours = [r for r, f in figures.regions.items() if f.business_hours]
        out += ["", t(lang, "report.business_hours", regions=", ".join(hours))]
    if figures.coordinators:
        keys = ("report.col.claimed", "report.col.resolved", "report.col.claim_time", "report.col.csat")
        picked = [(k, r) for k, r in COLUMNS if k in keys]
        people = [[t(lang, "report.col.coordinator"), *(t(lang, k) for k, _ in picked)]]
        for person, f in figures.coordinators.items():
            people.append([(names or {}).get(person, person), *(r(f, lang) for _, r in picked)])
        out += ["", *_table(people)]
    out += ["", t(lang, "report.kb.title"), *knowledge_lines(figures.knowledge, lang)]
    return "\n".join(out)


def as_json(figures: Figures) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple | frozenset):
            return [plain(v) for v in (sorted(value) if isinstance(value, frozenset) else value)]
        return value

    data = plain(asdict(figures))
    data["total"]["csat"]["rate"] = figures.total.csat.rate
    data["knowledge"]["helpful_rate"] = figures.knowledge.helpful_rate
    return json.dumps(data, default=str, ensure_ascii=False)
