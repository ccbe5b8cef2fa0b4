"""Tolerant answer parsing: the cases in tests/cases/answers.yaml, facts in, values out."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.core import answers

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "answers.yaml").read_text(encoding="utf-8"))
AS_OF: date = CASES["as_of"]
PARSERS = {
    "months": answers.read_months,
    "date": lambda text: answers.read_date(text, AS_OF),
    "number": answers.read_number,
    "yes_no": answers.read_yes_no,
    "category": answers.read_category,
    "certificate": answers.read_certificate,
}


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: f"{c['kind']}:{c['text']}")
def test_answer(case):
    read = PARSERS[case["kind"]]
    if case.get("error"):
        with pytest.raises(answers.NotUnderstood):
            read(str(case["text"]))
        return
    reading = read(str(case["text"]))
    assert reading.value == case["expect"]
    if "high" in case:
        assert reading.high == case["high"]
    if "sure" in case:
        assert reading.sure is case["sure"]


@pytest.mark.parametrize("case", [c for c in CASES["cases"] if not c.get("error")][:40],
                         ids=lambda c: f"{c['kind']}:{c['text']}")
def test_plain_parsers_give_the_lower_end(case):
    """parse_* (used by other parts) return the value of read_*."""
    plain = {"months": answers.parse_months, "date": lambda t: answers.parse_date(t, AS_OF),
             "number": answers.parse_number, "yes_no": answers.parse_yes_no,
             "category": answers.parse_category, "certificate": answers.parse_certificate}
    assert plain[case["kind"]](str(case["text"])) == case["expect"]


@pytest.mark.parametrize("text", ["不知道", "不清楚", "忘了", "记不清了"])
def test_i_dont_know(text):
    assert answers.parse_unknown(text)


@pytest.mark.parametrize("text", ["马边", "2024年3月", "是"])
def test_answers_are_not_i_dont_know(text):
    assert not answers.parse_unknown(text)
