"""Fair times typed without a year never slip a year (tests/cases/fair_times.yaml)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.broadcast.fair_when import CHINA, resolve_when, shown_when
from bot.core.errors import InputError

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "fair_times.yaml").read_text("utf-8"))


def _china(moment: str) -> datetime:
    return datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['now']} {c['typed']}")
def test_fair_time(case: dict) -> None:
    now = _china(case["now"])
    if case.get("refused"):
        with pytest.raises(InputError):
            resolve_when(case["typed"], now)
        return
    when = resolve_when(case["typed"], now)
    wanted = case.get("expect") or case["ask"]
    assert when.moment == _china(wanted), when
    assert when.past is ("ask" in case)


def test_shown_back_with_the_weekday() -> None:
    assert shown_when(_china("2026-12-05 09:30")) == "2026年12月5日（星期六）09:30"
    assert shown_when(_china("2026-11-29 20:00")) == "2026年11月29日（星期日）20:00"
