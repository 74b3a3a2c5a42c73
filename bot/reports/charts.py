"""Report charts as PNG bytes (matplotlib, Agg backend, no pyplot state): pure functions of the figures."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # before anything else of matplotlib: never a GUI backend on a server

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.i18n import t
from bot.reports.figures import Figures
from bot.reports.render import number

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SIZE = (7.0, 3.5)
_DPI = 90


def _figure(*, left: float = 0.08) -> Figure:
    """Fixed margins: the layout engines cost more than the drawing."""
    figure = Figure(figsize=_SIZE)
    figure.subplots_adjust(left=left, right=0.97, top=0.9, bottom=0.12)
    return figure


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None}, pil_kwargs={"optimize": True})
    return buffer.getvalue()


def cases_per_day(figures: Figures, lang: str) -> bytes:
    """Stacked bars: cases opened per (local) day, one colour per region."""
    figure = _figure()
    axes = figure.add_subplot()
    days = list(figures.per_day)
    regions = sorted({r for counts in figures.per_day.values() for r in counts})
    bottom = [0] * len(days)
    xs = list(range(len(days)))
    for region in regions:
        heights = [figures.per_day[day].get(region, 0) for day in days]
        axes.bar(xs, heights, bottom=bottom, label=region)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 10)  # at most about ten date labels
    axes.set_xticks(xs[::step], [day.strftime("%d.%m") for day in days[::step]])
    axes.set_title(t(lang, "report.chart.per_day"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if regions:
        axes.legend(loc="upper left")
    return _png(figure)


def claim_times(figures: Figures, lang: str) -> bytes:
    """Per region: median and p90 time to first claim (minutes) beside the region's claim target."""
    figure = _figure()
    axes = figure.add_subplot()
    regions = list(figures.regions)
    xs = list(range(len(regions)))
    p50 = [figures.regions[r].time_to_claim.p50 or 0 for r in regions]
    p90 = [figures.regions[r].time_to_claim.p90 or 0 for r in regions]
    axes.bar([x - 0.2 for x in xs], p50, width=0.4, label="p50")
    axes.bar([x + 0.2 for x in xs], p90, width=0.4, label="p90")
    for x, region in zip(xs, regions, strict=True):
        target = figures.claim_targets.get(region)
        if target is not None:
            axes.hlines(target, x - 0.45, x + 0.45, colors="black", linestyles="dashed")
            axes.annotate(
                f"{t(lang, 'report.chart.target')} {number(target, lang)}",
                (x, target),
                textcoords="offset points",
                xytext=(0, 3),
                ha="center",
                fontsize=8,
            )
    axes.set_xticks(xs, regions)
    axes.set_title(t(lang, "report.chart.claim"))
    axes.legend(loc="upper right")
    return _png(figure)


def top_unanswered(figures: Figures, lang: str) -> bytes:
    """Horizontal bars: the most asked questions the knowledge base did not answer (grouped)."""
    figure = _figure(left=0.45)
    axes = figure.add_subplot()
    groups = list(reversed(figures.knowledge.top_unanswered))
    labels = [textwrap.shorten(g.text, width=60, placeholder="…") for g in groups]
    axes.barh(range(len(groups)), [g.count for g in groups])
    axes.set_yticks(range(len(groups)), labels)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(t(lang, "report.chart.unanswered"))
    return _png(figure)
