"""Typed answers through the conversation core: the tuned set (answers.yaml `conversation`) and
the held-out set (answers_heldout.yaml, never tuned on). `bench/bench_answers.py` prints both rates."""
from __future__ import annotations

import pytest
from answer_cases import load, outcome

TUNED = load("answers.yaml")
HELD_OUT = load("answers_heldout.yaml")


def _ids(case: dict) -> str:
    return f"{case['ask']}:{case['text']}"


@pytest.mark.parametrize("case", TUNED[1], ids=_ids)
def test_tuned_answer_through_the_core(case):
    found = outcome(case, TUNED[0])
    assert found.passed, f"{case['text']!r}: expected {case['expect']!r}, got {found.got!r}"


@pytest.mark.parametrize("case", HELD_OUT[1], ids=_ids)
def test_held_out_answer_through_the_core(case):
    found = outcome(case, HELD_OUT[0])
    assert found.passed, f"{case['text']!r}: expected {case['expect']!r}, got {found.got!r}"


def test_the_held_out_set_is_big_enough_and_covers_every_outcome():
    cases = HELD_OUT[1]
    assert len(cases) >= 40
    kinds = {c["expect"] if c["expect"] in ("confirm", "pick", "ask again") else "value" for c in cases}
    assert kinds == {"confirm", "pick", "ask again", "value"}


def test_pass_rates_are_printed(capsys):
    for name, (header, cases) in (("tuned", TUNED), ("held-out", HELD_OUT)):
        passed = sum(outcome(c, header).passed for c in cases)
        with capsys.disabled():
            print(f"\nanswers through the core, {name}: {passed}/{len(cases)} = {passed / len(cases):.2f}")
