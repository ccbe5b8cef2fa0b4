"""Print load and lookup timings of the county gazetteer (not a test).

Run: .venv/bin/python bench/bench_places.py
"""
from __future__ import annotations

import statistics
import time

from bot.core import _gazetteer
from bot.core.errors import InputError
from bot.core.places import find_county_in_text, resolve_county, resolve_work_place


def _time(call, *args) -> float:
    """Seconds one call takes (InputError counts as an answer)."""
    start = time.perf_counter()
    try:
        call(*args)
    except InputError:
        pass
    return time.perf_counter() - start


def main() -> None:
    """Measure cold load, then per-lookup times over the whole table and typical inputs."""
    start = time.perf_counter()
    table = _gazetteer.gazetteer()
    print(f"load + index: {(time.perf_counter() - start) * 1000:.1f} ms "
          f"({len(table.counties())} counties, {len(table.rows)} rows)")
    names = [row.name for row in table.counties()]
    exact = [_time(resolve_county, name) for name in names]
    print(f"resolve_county(full name), {len(names)} names: median "
          f"{statistics.median(exact) * 1e6:.0f} µs, max {max(exact) * 1e6:.0f} µs")
    for label, call, args in [
        ("resolve_county('四川省乐山市马边彝族自治县')", resolve_county, "四川省乐山市马边彝族自治县"),
        ("resolve_county('朝阳') ambiguous", resolve_county, "朝阳"),
        ("resolve_county('mabian') pinyin", resolve_county, "mabian"),
        ("resolve_county('马编') same sound (first: imports pypinyin)", resolve_county, "马编"),
        ("resolve_county('马编') same sound", resolve_county, "马编"),
        ("resolve_county('卓姿县') typo", resolve_county, "卓姿县"),
        ("resolve_county('mabain') pinyin typo", resolve_county, "mabain"),
        ("resolve_work_place('浙江绍兴柯桥')", resolve_work_place, "浙江绍兴柯桥"),
        ("find_county_in_text(sentence)", find_county_in_text, "我老家是四川乐山马边的，在绍兴打工"),
    ]:
        print(f"{label}: {_time(call, args) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
