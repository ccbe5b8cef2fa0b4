"""Print load and lookup timings of the county gazetteer (not a test).

Run: .venv/bin/python bench/bench_places.py
"""
from __future__ import annotations

import statistics
import time

from bot.core import _gazetteer
from bot.core.errors import InputError
from bot.core.places import find_county_in_text, resolve_county, resolve_work_place

INPUTS = [
    ("resolve_county", resolve_county, "四川省乐山市马边彝族自治县"),
    ("resolve_county", resolve_county, "马边"),
    ("resolve_county (ambiguous)", resolve_county, "朝阳"),
    ("resolve_county (pinyin)", resolve_county, "mabian"),
    ("resolve_county (pinyin + area)", resolve_county, "sichuan leshan mabian"),
    ("resolve_county (same sound)", resolve_county, "马编"),
    ("resolve_county (typo)", resolve_county, "卓姿县"),
    ("resolve_county (pinyin typo)", resolve_county, "mabain"),
    ("resolve_county (unknown)", resolve_county, "火星"),
    ("resolve_work_place", resolve_work_place, "浙江绍兴柯桥"),
    ("find_county_in_text", find_county_in_text, "我老家是四川乐山马边的，在绍兴打工"),
]


def _time(call, argument: str) -> float:
    """Seconds one call takes (InputError counts as an answer)."""
    start = time.perf_counter()
    try:
        call(argument)
    except InputError:
        pass
    return time.perf_counter() - start


def main() -> None:
    """Measure cold load, then first-call and steady per-lookup times."""
    wall, cpu = time.perf_counter(), time.process_time()
    table = _gazetteer.gazetteer()
    print(f"load + name index: {(time.perf_counter() - wall) * 1000:.1f} ms wall, "
          f"{(time.process_time() - cpu) * 1000:.1f} ms CPU "
          f"({len(table.counties())} counties, {len(table.rows)} rows)")
    wall, cpu = time.perf_counter(), time.process_time()
    assert table.pinyin
    print(f"pinyin index (first pinyin/sound lookup): {(time.perf_counter() - wall) * 1000:.1f} ms "
          f"wall, {(time.process_time() - cpu) * 1000:.1f} ms CPU")
    for label, call, argument in INPUTS:
        first = _time(call, argument)
        steady = statistics.median(_time(call, argument) for _ in range(50))
        print(f"{label}({argument!r}): first {first * 1000:.2f} ms, then {steady * 1e6:.0f} µs")
    names = [row.name for row in table.counties()]
    every = [_time(resolve_county, name) for name in names]
    print(f"resolve_county over all {len(names)} full names: median "
          f"{statistics.median(every) * 1e6:.0f} µs, 99th pct "
          f"{sorted(every)[int(len(every) * 0.99)] * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
