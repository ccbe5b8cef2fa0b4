"""Knowledge search figures: p50/p95 of ``search`` over the five documents and over 10,000
synthetic clauses, and the cost of building each index. Not a test; run it by hand::

    .venv/bin/python bench/bench_ask.py [--clauses 10000] [--rounds 5]

The synthetic clauses recombine real sentences of the knowledge base (2–8 per clause,
seeded), so their vocabulary and term frequencies look like the documents'.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from bot.config import ROOT
from bot.core.expansion import load_thesaurus
from bot.core.knowledge import Clause, load_knowledge
from bot.core.search import SearchIndex, default_index, load_synonyms


def questions() -> list[str]:
    qs = []
    for name in ("questions.yaml", "questions_heldout.yaml"):
        path = ROOT / "tests" / "cases" / name
        qs += [case["q"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return qs


def synthetic_clauses(count: int, seed: int = 1) -> list[Clause]:
    rng = random.Random(seed)
    clauses = load_knowledge().all_clauses()
    sentences = [s + "。" for c in clauses for s in c.text.split("。") if s.strip()]
    texts = ("".join(rng.sample(sentences, rng.randint(2, 8))) for _ in range(count))
    return [Clause(f"synthetic-{i // 50}", str(i % 50), "", t, "") for i, t in enumerate(texts)]


def timed(fn, *args):
    """Wall-clock and CPU milliseconds of one call (CPU time leaves out waiting for a core),
    and its result."""
    wall, cpu = time.perf_counter(), time.thread_time()
    result = fn(*args)
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000, result


def report(name: str, index: SearchIndex, qs: list[str], rounds: int) -> None:
    runs = [timed(index.search, q, 5) for _ in range(rounds) for q in qs]
    for label, times in (("wall", [w for w, _, _ in runs]), ("cpu", [c for _, c, _ in runs])):
        cuts = statistics.quantiles(times, n=100)
        print(f"{name:<26} {label:<4} p50 {statistics.median(times):6.2f} ms   "
              f"p95 {cuts[94]:6.2f} ms   max {max(times):6.2f} ms   ({len(times)} searches)")


class AnswerTimer:
    """search + compose (the sentence, ``answered``, notes) behind the ``search`` of report()."""

    def __init__(self, index: SearchIndex, compose, as_of) -> None:
        self.index, self.compose, self.as_of = index, compose, as_of

    def search(self, question: str, top: int):
        return self.compose(question, self.index.search(question, top), self.as_of, self.index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clauses", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    qs = questions()

    wall, cpu, index = timed(default_index)
    print(f"build, 5 documents ({len(index.clauses)} clauses, loading included): "
          f"wall {wall:.1f} ms, cpu {cpu:.1f} ms")
    report("search, 5 documents", index, qs, args.rounds)
    from bot.core.answering import compose
    from bot.core.clock import today

    answer = AnswerTimer(index, compose, today())
    report("search + answer, 5 documents", answer, qs, args.rounds)

    clauses = synthetic_clauses(args.clauses)
    synonyms = load_synonyms()
    wall, cpu, big = timed(SearchIndex.build, clauses, synonyms, load_thesaurus())
    print(f"build, {len(clauses)} synthetic clauses: wall {wall:.0f} ms, cpu {cpu:.0f} ms")
    report(f"search, {len(clauses)} clauses", big, qs, args.rounds)


if __name__ == "__main__":
    main()
