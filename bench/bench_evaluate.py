"""Print evaluate() timings: 5 real documents, 500 synthetic ones, and the whole CLI process (not a test).

Run: .venv/bin/python bench/bench_evaluate.py
Goals: p95 <= 2 ms (5 documents), <= 20 ms (500 documents), `python -m bot evaluate` <= 1 s.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bot.core.evaluator import evaluate, result_to_json
from bot.core.facts import normalise_facts
from bot.core.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 22)
PERSON = {
    "origin_county": "马边", "person_category": "poverty_alleviated", "work_province": "浙江",
    "work_city": "绍兴", "work_county": "柯桥区", "first_arrival": "2024-02-01",
    "employment_start": "2024-02-01", "social_insurance_months": 30, "renting_self": True,
    "certificate_level": "intermediate", "trained_in_work_city": True,
}


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def _time(call, runs: int) -> list[float]:
    call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def synthetic_rules(copies: int) -> list:
    """Rules of ``copies`` documents made by copying the real ones under new ids."""
    real = load_rules()
    docs = sorted({r.document for r in real})
    out = []
    for n in range(copies):
        doc = docs[n % len(docs)]
        shared: dict = {}  # like a loaded file: a document's rules share its named conditions
        out += [dataclasses.replace(r, id=f"{r.id}.copy{n}", document=f"{doc}-copy{n}",
                                    scope=copy.deepcopy(r.scope, shared),
                                    conditions=copy.deepcopy(r.conditions, shared))
                for r in real if r.document == doc]
    return out


def main() -> None:
    """Measure and print."""
    facts = normalise_facts(PERSON, as_of=AS_OF)
    real = load_rules()
    print(f"rules: {len(real)} in {len({r.document for r in real})} documents")
    print("evaluate, 5 documents, audience all:", _percentiles(_time(lambda: evaluate(facts, AS_OF, "all"), 2000)))
    print("evaluate + result_to_json (all sentences rendered), 5 documents:",
          _percentiles(_time(lambda: [result_to_json(r) for r in evaluate(facts, AS_OF, "all")], 300)))
    many = synthetic_rules(500)
    print(f"evaluate, 500 documents ({len(many)} rules):",
          _percentiles(_time(lambda: evaluate(facts, AS_OF, "all", rules=many), 200)))
    print("evaluate, 500 documents, out-of-scope rules left out:",
          _percentiles(_time(lambda: evaluate(facts, AS_OF, "all", rules=many, keep_out_of_scope=False), 200)))
    walls = []
    payload = json.dumps({**PERSON, "as_of": AS_OF.isoformat()}, ensure_ascii=False)
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "evaluate", "-", "--audience", "all", "--json"],
                       input=payload, capture_output=True, text=True, cwd=ROOT, check=True)
        walls.append(time.perf_counter() - start)
    print(f"python -m bot evaluate (whole process, 5 runs): median {statistics.median(walls):.2f} s, "
          f"max {max(walls):.2f} s")


if __name__ == "__main__":
    main()
