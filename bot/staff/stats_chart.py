"""The /stats chart: uptake by home county and days left to each open claim deadline, as a PNG.

Drawn headless with matplotlib (Agg). Chinese is set in Noto Sans CJK SC from the
``noto-cjk-sans-otc`` package (OFL-1.1), a dependency of the project: never a system font, so
the picture is the same on every machine. Every word on it comes from templates/zh/chart.yaml.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.resources import files
from typing import Any

from bot.core.render import text

FONT_PACKAGE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"
FAMILY = "Noto Sans CJK SC"      # the simplified-Chinese face of the collection
COUNTIES_SHOWN = 12
DEADLINES_SHOWN = 10
LABEL = 10                       # characters of a deadline's label before "…"
COLOURS = {"eligible": "#4C78A8", "applied": "#F58518", "received": "#54A24B"}
URGENT, SOON = 30, 90            # days: red bars, orange bars, then blue
DPI = 150
_DRAWING = threading.Lock()


@dataclass(frozen=True)
class CountyUptake:
    """One home county: subsidies people can claim, have applied for, have received."""

    county: str
    eligible: int
    applied: int = 0
    received: int = 0


@dataclass(frozen=True)
class Deadline:
    """An open claim deadline and what it is for."""

    label: str
    date: date


@dataclass(frozen=True)
class ChartData:
    """Everything the chart shows."""

    counties: list[CountyUptake] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    as_of: date = date(1970, 1, 1)


@lru_cache(maxsize=1)
def font_path() -> str:
    """The packaged Noto Sans CJK collection, registered with matplotlib (every face)."""
    from matplotlib import font_manager

    path = str(files(FONT_PACKAGE).joinpath(FONT_FILE))
    font_manager.fontManager.addfont(path)
    if FAMILY not in {entry.name for entry in font_manager.fontManager.ttflist}:
        raise RuntimeError(f"{FAMILY} not found in {path}")
    return path


def shown_counties(data: ChartData) -> list[CountyUptake]:
    """The counties with the most claimable subsidies (at most COUNTIES_SHOWN), most first."""
    return sorted(data.counties, key=lambda c: (-c.eligible, c.county))[:COUNTIES_SHOWN]


def open_deadlines(data: ChartData) -> list[tuple[Deadline, int]]:
    """Deadlines not yet passed with their days left, soonest first (at most DEADLINES_SHOWN)."""
    left = [(d, (d.date - data.as_of).days) for d in data.deadlines]
    return sorted((item for item in left if item[1] >= 0), key=lambda item: (item[1], item[0].label))[
        :DEADLINES_SHOWN]


def stats_chart_png(data: ChartData) -> bytes:
    """The two-panel chart as PNG bytes (safe to call from worker threads)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    font_path()
    counties = shown_counties(data)
    deadlines = open_deadlines(data)
    rows = max(len(deadlines), 2)
    # rcParams are global: one drawing at a time. Figure (not pyplot) keeps no global state.
    with _DRAWING, rc_context({"font.family": [FAMILY], "axes.unicode_minus": False, "font.size": 10}):
        fig = Figure(figsize=(8, 4.2 + 0.45 * rows))
        top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3.6, 0.9 + 0.45 * rows]})
        fig.suptitle(text("chart.title", as_of=data.as_of), fontsize=14)
        _uptake(top, counties, len(data.counties))
        _deadlines(bottom, deadlines)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _uptake(ax: Any, counties: list[CountyUptake], total: int) -> None:
    """Grouped bars: eligible, applied, received per county."""
    ax.set_title(text("chart.uptake_top", count=len(counties)) if total > len(counties)
                 else text("chart.uptake_title"), loc="left")
    if not counties:
        _empty(ax, text("chart.no_counties"))
        return
    width = 0.26
    places = range(len(counties))
    for n, key in enumerate(("eligible", "applied", "received")):
        values = [getattr(c, key) for c in counties]
        bars = ax.bar([p + (n - 1) * width for p in places], values, width, label=text(f"chart.{key}"),
                      color=COLOURS[key])
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], fontsize=7, padding=1)
    ax.set_xticks(list(places), [c.county for c in counties], rotation=30 if len(counties) > 4 else 0,
                  ha="right" if len(counties) > 4 else "center")
    ax.set_ylabel(text("chart.count_axis"))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.margins(y=0.15)
    ax.legend(loc="upper right", frameon=False, ncols=3)
    ax.spines[["top", "right"]].set_visible(False)


def _deadlines(ax: Any, deadlines: list[tuple[Deadline, int]]) -> None:
    """Horizontal bars: days left to each open deadline, the soonest on top."""
    ax.set_title(text("chart.deadline_title"), loc="left")
    if not deadlines:
        _empty(ax, text("chart.no_deadlines"))
        return
    labels = [d.label if len(d.label) <= LABEL else d.label[:LABEL - 1] + "…" for d, _ in deadlines]
    days = [left for _, left in deadlines]
    colours = ["#E45756" if n <= URGENT else "#F58518" if n <= SOON else "#4C78A8" for n in days]
    rows = range(len(deadlines))
    ax.barh(list(rows), days, color=colours)
    ax.set_yticks(list(rows), labels)
    ax.invert_yaxis()
    longest = max(days) or 1
    for row, (deadline, left) in zip(rows, deadlines, strict=True):
        ax.text(left + longest * 0.01, row, text("chart.days_left", days=left, day=deadline.date),
                va="center", fontsize=8)
    ax.set_xlim(0, longest * 1.45)
    ax.set_xlabel(text("chart.days_axis"))
    ax.spines[["top", "right"]].set_visible(False)


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#777777")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
