"""The evaluator against readable YAML cases (tests/cases/rules/*.yaml) and its building blocks."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.core.amounts import compute_amount
from bot.core.evaluator import evaluate, result_to_json
from bot.core.facts import normalise_facts
from bot.core.validity import add_months, full_months

CASES_DIR = Path(__file__).parent / "cases" / "rules"
CONTRACT_KEYS = {
    "id", "policy", "title", "beneficiary", "eligible", "claimable", "status",
    "claim_deadline", "amount", "missing_facts", "reasons", "citation", "how_to_claim",
}


def _cases() -> list:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            cases.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return cases


def _plain(value):
    """YAML dates as ISO strings, like the JSON output."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _mismatches(expected, actual, path: str):
    if isinstance(expected, dict) and path.endswith(".conditions"):
        by_id = {c["id"]: c for c in actual}
        for cid, fields in expected.items():
            if cid not in by_id:
                yield f"{path}: no condition {cid!r} (has {sorted(by_id)})"
            else:
                yield from _mismatches(fields, by_id[cid], f"{path}[{cid}]")
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield f"{path}: expected an object, got {actual!r}"
            return
        for key, value in expected.items():
            if key == "missing_facts_include":
                missing = [n for n in value if n not in actual.get("missing_facts", [])]
                if missing:
                    yield f"{path}.missing_facts lacks {missing}: {actual.get('missing_facts')}"
            elif key.endswith("_include"):
                field = key[: -len("_include")]
                got = actual.get(field)
                got_text = "\n".join(got) if isinstance(got, list) else str(got)
                for part in value:
                    if part not in got_text:
                        yield f"{path}.{field}: {part!r} not in {got_text!r}"
            else:
                yield from _mismatches(value, actual.get(key), f"{path}.{key}")
    elif expected != actual:
        yield f"{path}: expected {expected!r}, got {actual!r}"


def run_case(case: dict) -> tuple[dict, dict]:
    """Normalised facts and results by id, through the JSON the CLI prints."""
    as_of = case["as_of"] if isinstance(case["as_of"], date) else date.fromisoformat(case["as_of"])
    facts = normalise_facts(case.get("facts") or {}, as_of=as_of)
    results = evaluate(facts, as_of, audience=case.get("audience", "worker"))
    out = json.loads(json.dumps([result_to_json(r) for r in results], ensure_ascii=False))
    return facts, {r["id"]: r for r in out}


@pytest.mark.parametrize("case", _cases())
def test_rule_case(case):
    facts, by_id = run_case(case)
    expect = _plain(case["expect"])
    problems = list(_mismatches(expect.get("facts", {}), facts, "facts"))
    for rid, fields in expect.get("results", {}).items():
        if rid not in by_id:
            if fields != {"eligible": False}:
                problems.append(f"{rid}: missing from the results")
            continue
        problems += _mismatches(fields, by_id[rid], rid)
    assert not problems, "\n".join(problems)


def test_cases_cover_every_rule_with_an_amount():
    from bot.core.rules import load_rules

    named = set()
    for param in _cases():
        named |= set(param.values[0]["expect"].get("results") or {})
    uncovered = [r.id for r in load_rules() if r.amount and r.id not in named]
    assert uncovered == []


def test_result_json_has_exactly_the_contract_keys_and_types():
    facts = normalise_facts({"origin_county": "马边", "social_insurance_months": 5})
    result = result_to_json(evaluate(facts, date(2026, 11, 22))[0])
    assert CONTRACT_KEYS <= set(result)
    assert set(result["citation"]) == {"doc", "clause", "quote"}
    assert result["amount"] is None or {"yuan", "per", "up_to"} <= set(result["amount"])
    json.dumps(result, ensure_ascii=False)  # dates are ISO strings, nothing else leaks


def test_worker_audience_sees_only_worker_rules_and_all_sees_more():
    workers = evaluate({}, date(2025, 6, 1))
    everyone = evaluate({}, date(2025, 6, 1), audience="all")
    assert {r.beneficiary for r in workers} == {"worker"}
    assert {"agency", "employer", "training_org", "workshop", "workstation", "base"} <= {
        r.beneficiary for r in everyone
    }


def test_an_unknown_fact_never_makes_a_rule_false():
    for result in evaluate({}, date(2025, 6, 1), audience="all"):
        assert result.eligible is None, result.id


@pytest.mark.parametrize(
    "employees, yuan, up_to",
    [(None, 50000, True), (2, 50000, True), (3, 20000, False), (7, 40000, False),
     (9, 50000, False), (12, 50000, False), (13, 50000, False)],
)
def test_leader_formula_with_cap(employees, yuan, up_to):
    spec = {"formula": {"fact": "rural_employees", "base": 20000, "from": 3, "step": 5000, "cap": 50000}}
    facts = {} if employees is None else {"rural_employees": employees}
    assert compute_amount(spec, facts) == {"yuan": yuan, "per": "once", "up_to": up_to}


@pytest.mark.parametrize(
    "start, end, months",
    [("2024-02-01", "2026-11-22", 33), ("2024-01-31", "2024-02-28", 0), ("2024-01-31", "2024-02-29", 1),
     ("2025-10-01", "2026-01-01", 3), ("2026-01-01", "2025-01-01", 0)],
)
def test_full_months(start, end, months):
    assert full_months(date.fromisoformat(start), date.fromisoformat(end)) == months


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 9, 30), 3) == date(2025, 12, 30)
    assert add_months(date(2026, 11, 22), -11) == date(2025, 12, 22)


def _random_facts():
    from hypothesis import strategies as st

    return st.fixed_dictionaries({}, optional={
        "origin_county": st.sampled_from(["马边", "沐川", "卓资", "墨玉", "47团", "友谊", "奈曼旗", "巫溪县", "海淀"]),
        "person_category": st.sampled_from(["poverty_alleviated", "monitored", "rural_low_income", "rural_other", "other"]),
        "work_province": st.sampled_from(["浙江", "北京", "山东", "辽宁", "重庆", "黑龙江"]),
        "employment_start": st.dates(date(2019, 1, 1), date(2027, 1, 1)).map(date.isoformat),
        "social_insurance_months": st.integers(0, 60),
        "first_arrival": st.dates(date(2019, 1, 1), date(2027, 1, 1)).map(date.isoformat),
        "renting_self": st.booleans(),
        "certificate_level": st.sampled_from(["none", "junior", "intermediate", "senior"]),
        "trained_in_work_city": st.booleans(),
        "travel_cost_yuan": st.integers(0, 2000),
        "public_welfare_post": st.booleans(),
        "business_owner": st.booleans(),
        "rural_employees": st.integers(0, 20),
        "recommended_leader": st.booleans(),
        "unemployed": st.booleans(),
    })


def test_any_person_on_any_day_gets_consistent_explained_results():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=15, deadline=None)
    @given(raw=_random_facts(), as_of=st.dates(date(2021, 6, 1), date(2028, 1, 1)))
    def check(raw, as_of):
        facts = normalise_facts(raw, as_of=as_of)
        for result in evaluate(facts, as_of, audience="all"):
            out = result_to_json(result)
            assert out["eligible"] in (True, False, None)
            if out["eligible"] is False or out["status"] in ("expired", "not_yet"):
                assert out["claimable"] is False
            if out["eligible"] is not None:
                assert out["missing_facts"] == []
            text = "".join(out["reasons"]) + out["how_to_claim"] + (out["amount_note"] or "")
            assert out["reasons"] and "None" not in text and "{" not in text
            if out["amount"]:
                assert out["amount"]["yuan"] >= 0 and out["amount"]["per"] in ("once", "month", "year")

    check()


def test_any_and_all_combine_met_unmet_and_unknown():
    from bot.core.conditions import Condition, evaluate_condition

    renting = Condition(id="renting", op="equals", fact="renting_self", value=True)
    si = Condition(id="si_3", op="at_least", fact="social_insurance_months", value=3)
    either = Condition(id="either", op="any", parts=(renting, si))
    both = Condition(id="both", op="all", parts=(renting, si))
    day = date(2025, 6, 1)
    assert evaluate_condition(either, {"renting_self": True}, day).status == "met"
    assert evaluate_condition(either, {"renting_self": False}, day).missing == ["social_insurance_months"]
    assert evaluate_condition(either, {"renting_self": False, "social_insurance_months": 1}, day).status == "unmet"
    assert evaluate_condition(both, {"renting_self": False}, day).status == "unmet"
    assert evaluate_condition(both, {"renting_self": True}, day).status == "unknown"
    assert evaluate_condition(both, {"renting_self": True, "social_insurance_months": 3}, day).status == "met"
