"""Print evaluate() timings: 5 real documents, 500 synthetic ones, and the whole CLI process (not a test).

Run: .venv/bin/python bench/bench_evaluate.py
Goals: p95 <= 2 ms (5 documents), <= 20 ms (500 documents), `python -m bot evaluate` <= 1 s.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bot.core._gazetteer import gazetteer
from bot.core.conditions import Condition
from bot.core.evaluator import evaluate, result_to_json
from bot.core.facts import normalise_facts
from bot.core.rules import Rule, load_rules

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 22)
PERSON = {
    "origin_county": "马边", "person_category": "poverty_alleviated", "work_province": "浙江",
    "work_city": "绍兴", "work_county": "柯桥区", "first_arrival": "2024-02-01",
    "employment_start": "2024-02-01", "social_insurance_months": 30, "renting_self": True,
    "certificate_level": "intermediate", "trained_in_work_city": True,
}
ORIGIN_FACTS = ("origin_county", "origin_city", "origin_province")


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


class _Areas:
    """Random origin areas of the gazetteer, and a per-document map from real areas to new ones."""

    def __init__(self, rng: random.Random) -> None:
        rows = gazetteer().rows
        self.rng = rng
        self.counties = [r for r in rows if r.level == "county"]
        self.cities = sorted({r.city for r in self.counties if r.city})
        self.provinces = sorted({r.province for r in rows})
        self.moved: dict = {}

    def new_document(self) -> None:
        """Forget the previous document's map: the next one covers other areas."""
        self.moved = {}
        self.home = self.rng.choice(self.counties)  # a document's counties share a city, like Leshan's

    def area(self, fact: str, old):
        """The new area standing for ``old`` in this document (the same old name, the same new one)."""
        if not isinstance(old, str):
            return old
        if (fact, old) not in self.moved:
            if fact == "origin_province":
                new = self.rng.choice(self.provinces)
            elif fact == "origin_city":
                new = self.rng.choice(self.cities)
            else:
                near = [r for r in self.counties if r.city == self.home.city]
                new = self.rng.choice(near if self.rng.random() < 0.7 else self.counties).name
            if new in self.moved.values():  # two old areas never become one new one
                return self.area(fact, old)
            self.moved[(fact, old)] = new
        return self.moved[(fact, old)]


def _moved_condition(cond: Condition, areas: _Areas, done: dict) -> Condition:
    """A document's condition with its origin areas replaced (one new object per old one)."""
    if id(cond) in done:
        return done[id(cond)]
    changes: dict = {}
    if cond.parts:
        changes["parts"] = tuple(_moved_condition(p, areas, done) for p in cond.parts)
    if cond.fact in ORIGIN_FACTS:
        if isinstance(cond.value, list):
            changes["value"] = [areas.area(cond.fact, v) for v in cond.value]
        else:
            changes["value"] = areas.area(cond.fact, cond.value)
        changes["unclear"] = tuple(areas.area(cond.fact, v) for v in cond.unclear)
    done[id(cond)] = new = dataclasses.replace(cond, **changes)
    return new


def _moved_amount(amount: dict | None, areas: _Areas) -> dict | None:
    table = (amount or {}).get("table")
    if not table or table["fact"] not in ORIGIN_FACTS:
        return amount
    values = {areas.area(table["fact"], k): v for k, v in table["values"].items()}
    return {**amount, "table": {**table, "values": values}}


def _shifted(day: date | None, years: int) -> date | None:
    if day is None:
        return None
    return day.replace(year=day.year + years, day=28 if (day.month, day.day) == (2, 29) else day.day)


def synthetic_rules(documents: int, seed: int = 20261122) -> list[Rule]:
    """The real rules plus copies up to ``documents`` documents, re-issued for other areas and periods.

    Copy n of a real document gets the id ``<doc>-s<n>``, origin counties/cities/provinces drawn
    from the gazetteer (a document's counties mostly in one city), the document's period moved
    by -4..+2 years, and its own condition objects (shared inside the document, as on load).
    """
    rng, real = random.Random(seed), load_rules()
    areas = _Areas(rng)
    docs = list(dict.fromkeys(r.document for r in real))
    out: list[Rule] = list(real)
    for n in range(documents - len(docs)):
        doc, years, done = docs[n % len(docs)], rng.randint(-4, 2), {}
        areas.new_document()
        for r in (r for r in real if r.document == doc):
            period = dataclasses.replace(r.period, **{k: _shifted(getattr(r.period, k), years)
                                                      for k in ("start", "end", "claim_deadline")})
            out.append(dataclasses.replace(
                r, id=r.id.replace(doc.split("-")[0], f"{doc.split('-')[0]}-s{n}", 1),
                document=f"{doc}-s{n}", period=period, amount=_moved_amount(r.amount, areas),
                scope=tuple(_moved_condition(c, areas, done) for c in r.scope),
                conditions=tuple(_moved_condition(c, areas, done) for c in r.conditions)))
    return out


def _process_times(runs: int = 5) -> str:
    walls, cpus = [], []
    payload = json.dumps({**PERSON, "as_of": AS_OF.isoformat()}, ensure_ascii=False)
    for _ in range(runs):
        start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "bot", "evaluate", "-", "--audience", "all", "--json"],
                       input=payload, capture_output=True, text=True, cwd=ROOT, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append(time.perf_counter() - start)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return (f"wall median {statistics.median(walls):.2f} s, max {max(walls):.2f} s | "
            f"CPU median {statistics.median(cpus):.2f} s")


def main() -> None:
    """Measure and print."""
    known, nothing = normalise_facts(PERSON, as_of=AS_OF), {}
    real = load_rules()
    many = synthetic_rules(500)
    print(f"rules: {len(real)} in 5 documents; synthetic: {len(many)} in 500 documents, "
          f"{len({r.document for r in many})} ids")
    for label, rules, runs in (("5 documents", None, 2000), ("500 documents", many, 200)):
        for who, facts in (("home county known", known), ("nothing known", nothing)):
            for audience, keep in (("worker", False), ("worker", True), ("all", True)):
                left = "" if keep else ", out-of-scope left out"
                call = functools.partial(evaluate, facts, AS_OF, audience, rules=rules,
                                         keep_out_of_scope=keep)
                print(f"{label}, {who}, audience {audience}{left}: {_time(call, runs)}")
    print("evaluate + result_to_json (all sentences rendered), 5 documents, audience all:",
          _time(lambda: [result_to_json(r) for r in evaluate(known, AS_OF, "all")], 300))
    print("python -m bot evaluate --json (whole process, 5 runs):", _process_times())


if __name__ == "__main__":
    main()
