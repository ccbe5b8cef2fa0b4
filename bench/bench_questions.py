"""Free-question figures: hit@1, hit@3 and ``answered`` accuracy on the tuned set
(tests/cases/questions.yaml) and the held-out set (tests/cases/questions_heldout.yaml),
separately, and the latency of a whole answer (search + sentence + answered + notes).
Not a test (tests/test_search.py asserts floors with the same functions). Run::

    .venv/bin/python bench/bench_questions.py [--rounds 5] [--misses]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from bot.config import ROOT

CASES = ROOT / "tests" / "cases"
SETS = {"tuned": CASES / "questions.yaml", "held-out": CASES / "questions_heldout.yaml"}
AS_OF = date(2026, 11, 22)


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected(case: dict) -> set[tuple[str, str]]:
    """The (doc, clause) pairs any of which answers the case; empty for ``answered: false``."""
    wanted = case.get("expect") or []
    wanted = wanted if isinstance(wanted, list) else [wanted]
    return {tuple(w.split(" ", 1)) for w in wanted}


def ask(question: str, top: int = 5):
    """The whole answer the bot gives (what ``python -m bot ask`` prints)."""
    from bot.core.answering import compose
    from bot.core.search import search

    return compose(question, search(question, top), AS_OF)


def figures(cases: list[dict]) -> dict:
    """hit@1 / hit@3 over answerable cases, answered accuracy over all, and the misses."""
    hit1 = hit3 = right = 0
    misses: list[str] = []
    answerable = [c for c in cases if expected(c)]
    for case in cases:
        answer = ask(case["q"])
        got = [(f.clause.doc, f.clause.id) for f in answer.results[:3]]
        should = bool(expected(case))
        right += answer.answered == should
        if answer.answered != should:
            misses.append(f"answered={answer.answered}: {case['q']} -> {got[:1]}")
        if should:
            hit1 += bool(got[:1]) and got[0] in expected(case)
            hit3 += bool(expected(case) & set(got))
            if not expected(case) & set(got):
                misses.append(f"not in top 3: {case['q']} -> {got}")
    n = max(len(answerable), 1)
    return {"cases": len(cases), "answerable": len(answerable), "hit@1": hit1 / n,
            "hit@3": hit3 / n, "answered": right / max(len(cases), 1), "misses": misses}


def latency(questions: list[str], rounds: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 milliseconds of one whole answer, wall clock and CPU (CPU leaves out
    waiting for a core on a loaded machine)."""
    for q in questions:   # build the index, the pinyin reader and load the data first
        ask(q)
    wall, cpu = [], []
    for _ in range(rounds):
        for q in questions:
            start, start_cpu = time.perf_counter(), time.thread_time()
            ask(q)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
    return {name: (statistics.median(t), statistics.quantiles(t, n=100)[94])
            for name, t in (("wall", wall), ("cpu", cpu))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="list the misses of the tuned set")
    args = parser.parse_args()
    every: list[str] = []
    for name, path in SETS.items():
        cases = load(path)
        every += [c["q"] for c in cases]
        got = figures(cases)
        print(f"{name:<9} {got['cases']:>3} questions ({got['answerable']} answerable): "
              f"hit@1 {got['hit@1']:.2f}  hit@3 {got['hit@3']:.2f}  answered {got['answered']:.2f}")
        if args.misses and name == "tuned":
            print("  " + "\n  ".join(got["misses"]))
    for name, (p50, p95) in latency(every, args.rounds).items():
        print(f"ask latency (search + answer), {len(every)} questions x {args.rounds}, {name}: "
              f"p50 {p50:.2f} ms  p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
