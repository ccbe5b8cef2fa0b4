"""The /stats chart: its data from a real tally, a valid PNG, and Chinese drawn with the packaged
font (matplotlib warns "Glyph … missing from font" when a character is not in the font)."""
from __future__ import annotations

import io
import logging
import warnings
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from bot.core.evaluator import evaluate
from bot.core.facts import normalise_facts
from bot.staff.stats import Tally, chart_data
from bot.staff.stats_chart import (
    COUNTIES_SHOWN,
    FAMILY,
    ChartData,
    CountyUptake,
    Deadline,
    font_path,
    open_deadlines,
    shown_counties,
    stats_chart_png,
)

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 22)
PEOPLE = yaml.safe_load((ROOT / "tests/cases/notice.yaml").read_text(encoding="utf-8"))


def real_tally() -> tuple[Tally, dict[str, int]]:
    """Every person of the notice cases, interviewed twice; the claimable count per county."""
    counts, claims = Tally(), {}
    for person in PEOPLE:
        facts = normalise_facts(dict(person["facts"]), as_of=AS_OF)
        results = evaluate(facts, AS_OF)
        county = facts["origin_county"]
        for _ in range(2):
            counts.add(county, results)
        own = [r for r in results if r.claimable is True and r.beneficiary == "worker"]
        claims[county] = claims.get(county, 0) + 2 * len(own)
    return counts, claims


def drawn(data: ChartData) -> tuple[bytes, list[str]]:
    """The PNG and every warning matplotlib gave while drawing it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = stats_chart_png(data)
    return png, [str(w.message) for w in caught]


def test_chart_data_from_the_stats_tally():
    counts, claims = real_tally()
    data = chart_data(counts, AS_OF)
    assert data.as_of == AS_OF
    assert {c.county: c.eligible for c in data.counties} == claims
    assert claims["马边彝族自治县"] > 0
    assert all(c.applied == 0 and c.received == 0 for c in data.counties)   # not recorded yet
    assert Deadline("就业稳岗补贴", date(2026, 12, 31)) in data.deadlines
    assert len(set(data.deadlines)) == len(data.deadlines)


def test_chart_is_a_png_with_chinese_in_the_packaged_font(caplog):
    data = chart_data(real_tally()[0], AS_OF)
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        png, caught = drawn(data)
    assert [m for m in caught if "missing from font" in m] == []
    assert [r for r in caplog.records if "findfont" in r.getMessage()] == []
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 1000 and image.height >= 800
    pixels = np.asarray(image.convert("L"))
    assert (pixels < 128).mean() > 0.01 and (pixels > 250).mean() > 0.5


def test_the_font_is_the_packaged_file_not_a_system_font():
    from matplotlib import font_manager

    found = font_manager.findfont(font_manager.FontProperties(family=FAMILY), fallback_to_default=False)
    assert Path(found) == Path(font_path())
    assert "site-packages" in found or "noto_cjk_sans_otc" in found


def test_the_warning_check_would_catch_a_font_without_chinese():
    """The check above is not blind: drawing Chinese in DejaVu Sans does warn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught, plt.rc_context({"font.family": ["DejaVu Sans"]}):
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("马边彝族自治县")
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    assert any("missing from font" in str(w.message) for w in caught)


def test_empty_data_still_draws():
    png, caught = drawn(ChartData([], [], AS_OF))
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).width > 500
    assert [m for m in caught if "missing from font" in m] == []


def test_passed_deadlines_are_left_out_and_the_soonest_come_first():
    deadlines = [Deadline("租房补贴", AS_OF + timedelta(days=100)), Deadline("交通补贴", AS_OF - timedelta(days=1)),
                 Deadline("就业稳岗补贴", AS_OF + timedelta(days=3)), Deadline("技能补贴", AS_OF)]
    shown = open_deadlines(ChartData([], deadlines, AS_OF))
    assert [(d.label, left) for d, left in shown] == [("技能补贴", 0), ("就业稳岗补贴", 3), ("租房补贴", 100)]


def test_many_counties_show_the_largest():
    counties = [CountyUptake(f"第{n}县", n, n // 2, n // 3) for n in range(1, 31)]
    png, caught = drawn(ChartData(counties, [Deadline("就业稳岗补贴", date(2026, 12, 31))], AS_OF))
    assert [m for m in caught if "missing from font" in m] == [] and len(png) > 20_000
    shown = shown_counties(ChartData(counties, [], AS_OF))
    assert [c.eligible for c in shown] == list(range(30, 30 - COUNTIES_SHOWN, -1))


def test_every_chart_string_is_used():
    keys = yaml.safe_load((ROOT / "templates/zh/chart.yaml").read_text(encoding="utf-8"))
    source = "".join((ROOT / path).read_text(encoding="utf-8")
                     for path in ("bot/staff/stats_chart.py", "bot/flows/fairs.py"))   # + the caption
    dynamic = {f"chart.{k}" for k in ("eligible", "applied", "received")}   # text(f"chart.{key}")
    assert [k for k in keys if f'"{k}"' not in source and k not in dynamic] == []


def test_charts_drawn_in_threads_at_once_are_all_whole():
    from concurrent.futures import ThreadPoolExecutor

    data = chart_data(real_tally()[0], AS_OF)
    alone = stats_chart_png(data)
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(stats_chart_png, [data] * 4))
    assert together == [alone] * 4


@pytest.mark.parametrize("key", ["eligible", "applied", "received"])
def test_the_legend_keys_exist(key):
    from bot.core.render import has_text

    assert has_text(f"chart.{key}")
