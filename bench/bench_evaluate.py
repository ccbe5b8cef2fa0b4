"""Print evaluate() timings: 5 real documents, 500 synthetic ones, and the whole CLI process (not a test).

Run: .venv/bin/python bench/bench_evaluate.py
Goals: p95 <= 2 ms (5 documents), <= 20 ms (500 documents), `python -m bot evaluate` <= 1 s.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import resource
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
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def _time(call, runs: int) -> str:
    """Wall-clock and CPU percentiles of ``runs`` calls after one warm-up call."""
    call()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return f"wall {_percentiles(walls)} | CPU {_percentiles(cpus)}"


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
    print("evaluate, 5 documents, audience all:", _time(lambda: evaluate(facts, AS_OF, "all"), 2000))
    print("evaluate + result_to_json (all sentences rendered), 5 documents:",
          _time(lambda: [result_to_json(r) for r in evaluate(facts, AS_OF, "all")], 300))
    many = synthetic_rules(500)
    print(f"evaluate, 500 documents ({len(many)} rules):",
          _time(lambda: evaluate(facts, AS_OF, "all", rules=many), 100))
    print("evaluate, 500 documents, audience worker:",
          _time(lambda: evaluate(facts, AS_OF, "worker", rules=many), 100))
    print("evaluate, 500 documents, audience worker, out-of-scope rules left out:",
          _time(lambda: evaluate(facts, AS_OF, "worker", rules=many, keep_out_of_scope=False), 100))
    print("evaluate, 500 documents, out-of-scope rules left out:",
          _time(lambda: evaluate(facts, AS_OF, "all", rules=many, keep_out_of_scope=False), 100))
    walls, cpus = [], []
    payload = json.dumps({**PERSON, "as_of": AS_OF.isoformat()}, ensure_ascii=False)
    for _ in range(5):
        start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "bot", "evaluate", "-", "--audience", "all", "--json"],
                       input=payload, capture_output=True, text=True, cwd=ROOT, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append(time.perf_counter() - start)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    print(f"python -m bot evaluate --json (whole process, 5 runs): wall median {statistics.median(walls):.2f} s, "
          f"max {max(walls):.2f} s | CPU median {statistics.median(cpus):.2f} s")


if __name__ == "__main__":
    main()
