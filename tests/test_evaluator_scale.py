"""The home-area index of the evaluator changes no result: property tests over many documents (not timed)."""
from __future__ import annotations

import dataclasses
import gc
import random
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core._gazetteer import gazetteer
from bot.core.conditions import Condition, evaluate_condition
from bot.core.evaluator import evaluate, result_to_json
from bot.core.rules import ORIGIN_FACTS, RuleIndex, load_rules, origin_areas, rule_index

DOCUMENTS = 20          # the 5 real documents and 15 re-issued for other home areas
COUNTIES = [r for r in gazetteer().rows if r.level == "county"]


def _moved(cond: Condition, new_area, done: dict) -> Condition:
    """A condition with its home areas replaced (one new object per old one, as on load)."""
    if id(cond) not in done:
        changes: dict = {"parts": tuple(_moved(p, new_area, done) for p in cond.parts)}
        if cond.fact in ORIGIN_FACTS:
            values = cond.value if isinstance(cond.value, list) else [cond.value]
            new = [new_area(cond.fact, v) for v in values]
            changes["value"] = new if isinstance(cond.value, list) else new[0]
            changes["unclear"] = tuple(new_area(cond.fact, v) for v in cond.unclear)
        done[id(cond)] = dataclasses.replace(cond, **changes)
    return done[id(cond)]


def _rule_base(documents: int, seed: int = 7) -> list:
    """The real rules and copies of them covering other counties, cities and provinces of the gazetteer."""
    rng, real = random.Random(seed), load_rules()
    docs = list(dict.fromkeys(r.document for r in real))
    out = list(real)
    for n in range(documents - len(docs)):
        doc, moved, done = docs[n % len(docs)], {}, {}

        def new_area(fact: str, old: str, moved=moved) -> str:
            row = rng.choice(COUNTIES)
            pick = {"origin_county": row.name, "origin_city": row.city, "origin_province": row.province}
            return moved.setdefault((fact, old), pick[fact])

        out += [dataclasses.replace(r, id=f"{r.id}.s{n}", document=f"{doc}-s{n}",
                                    scope=tuple(_moved(c, new_area, done) for c in r.scope),
                                    conditions=tuple(_moved(c, new_area, done) for c in r.conditions))
                for r in real if r.document == doc]
    return out


RULES = _rule_base(DOCUMENTS)
AREAS = sorted({(key[0], v) for key in map(origin_areas, RULES) if key for v in key[1]})


def _leaves(conds):
    for cond in conds:
        yield cond
        yield from _leaves(cond.parts)


def _fact_values() -> dict[str, list]:
    """Values worth trying for each fact the rules read: every listed value, each threshold and one below."""
    values: dict[str, set] = {}
    for cond in {id(c): c for r in RULES for c in _leaves(r.all_conditions())}.values():
        if cond.op == "work_in":
            for level, name in cond.value.items():
                values.setdefault(f"work_{level}", set()).update({name, "上海市"})
        elif cond.op in ("in", "equals") and cond.fact not in ORIGIN_FACTS:
            values.setdefault(cond.fact, set()).update([*(cond.value if cond.op == "in" else [cond.value]),
                                                        *cond.unclear])
        elif cond.op in ("at_least", "at_most"):
            values.setdefault(cond.fact, set()).update({cond.value - 1, cond.value, 0})
        elif cond.op in ("on_or_after", "before"):
            values.setdefault(cond.fact, set()).update({(cond.value - timedelta(days=1)).isoformat(),
                                                        cond.value.isoformat()})
    values["employment_start"] = {"2020-12-31", "2022-03-01", "2024-02-01", "2026-10-01"}
    return {k: sorted(v, key=repr) for k, v in values.items()}


FACT_VALUES = _fact_values()


def _home(row, keep: list[str]) -> dict:
    full = {"origin_county": row.name, "origin_city": row.city, "origin_province": row.province}
    return {k: v for k, v in full.items() if k in keep}


@st.composite
def origins(draw) -> dict:
    """A home area: none, one a rule names (county, city or province), a random county, or a made-up name."""
    kind = draw(st.sampled_from(["none", "named", "named", "random", "made_up"]))
    keep = draw(st.sampled_from([list(ORIGIN_FACTS), ["origin_county"], ["origin_city", "origin_province"],
                                 ["origin_province"]]))
    if kind == "none":
        return {}
    if kind == "made_up":
        return {"origin_county": draw(st.text(min_size=1, max_size=4))}
    if kind == "random":
        return _home(draw(st.sampled_from(COUNTIES)), keep)
    fact, name = draw(st.sampled_from(AREAS))
    rows = [r for r in COUNTIES if _home(r, [fact])[fact] == name]
    return _home(draw(st.sampled_from(rows)), keep) if rows else {fact: name}


@st.composite
def people(draw) -> dict:
    """Facts of one person: a home area and a random part of the other facts the rules read."""
    facts = draw(origins())
    for fact, values in FACT_VALUES.items():
        value = draw(st.one_of(st.none(), st.sampled_from(values)))
        if value is not None:
            facts[fact] = value
    return facts


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))
AUDIENCES = st.sampled_from(["worker", "all"])
CHECKS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _one_by_one(facts: dict, as_of: date, audience: str) -> list:
    """Every rule evaluated on its own (no index, nothing shared between rules)."""
    return [r for rule in RULES for r in evaluate(facts, as_of, audience, rules=[rule])]


def _json(results) -> list[dict]:
    return [result_to_json(r) for r in results]


@CHECKS
@given(people(), DAYS, AUDIENCES)
def test_index_leaves_out_exactly_the_rules_out_of_scope(facts, as_of, audience):
    every = _one_by_one(facts, as_of, audience)
    picked = evaluate(facts, as_of, audience, rules=RULES, keep_out_of_scope=False)
    assert _json(picked) == _json(r for r in every if r.in_scope)


@CHECKS
@given(people(), DAYS, AUDIENCES)
def test_results_of_all_rules_match_rules_evaluated_one_by_one(facts, as_of, audience):
    every = _one_by_one(facts, as_of, audience)
    together = evaluate(facts, as_of, audience, rules=RULES)
    assert [r.id for r in together] == [r.id for r in every]
    assert _json(together) == _json(every)


@CHECKS
@given(origins())
def test_rules_the_index_drops_have_an_unmet_home_area(facts):
    index = RuleIndex.build(RULES)
    fitting = set(index.fitting(facts))
    for at, rule in enumerate(RULES):
        if at not in fitting:
            statuses = [evaluate_condition(c, facts, date(2026, 11, 22)).status for c in rule.scope]
            assert "unmet" in statuses, rule.id


def test_rules_without_a_home_area_are_always_kept():
    index = RuleIndex.build(RULES)
    far = _home(next(r for r in COUNTIES if r.name == "东城区"), list(ORIGIN_FACTS))
    kept = {RULES[at].id for at in index.fitting(far)}
    assert {r.id for r in RULES if origin_areas(r) is None} <= kept
    assert len(kept) < len(RULES)


def test_a_known_county_picks_its_documents_rules_only():
    mabian = _home(next(r for r in COUNTIES if r.name == "马边彝族自治县"), list(ORIGIN_FACTS))
    index = rule_index(RULES, "worker")
    docs = {index.rules[at].document for at in index.fitting(mabian)}
    assert "shaoxing-2021" in docs
    assert not {"youyi-2022", "tongliao-2022", "chongqing-2021", "chaoyang-2022"} & docs


def test_index_is_rebuilt_when_the_rule_list_changes():
    rules = list(RULES[:10])
    first = rule_index(rules, "all")
    assert rule_index(rules, "all") is first
    rules.append(RULES[10])
    assert len(rule_index(rules, "all").rules) == 11


def test_an_unhashable_home_area_leaves_the_choice_to_the_conditions():
    index = RuleIndex.build(RULES)
    assert index.fitting({"origin_county": ["马边彝族自治县"]}) == list(range(len(RULES)))


def test_equal_conditions_share_a_slot_and_different_ones_do_not():
    a = Condition(id="si_3", op="at_least", fact="social_insurance_months", value=3)
    same = Condition(id="si_3", op="at_least", fact="social_insurance_months", value=3)
    other_value = Condition(id="si_3", op="at_least", fact="social_insurance_months", value=4)
    other_id = Condition(id="si_x", op="at_least", fact="social_insurance_months", value=3)
    flag = Condition(id="c", op="equals", fact="renting_self", value=True)
    one = Condition(id="c", op="equals", fact="renting_self", value=1)
    assert a.slot == same.slot
    assert len({a.slot, other_value.slot, other_id.slot}) == 3
    assert flag.slot != one.slot


def test_a_fixed_amount_is_handed_out_as_a_copy():
    rule = next(r for r in RULES if r.amount and "yuan" in r.amount and not r.amount.get("actual_fact"))
    first = rule.amount_for({})
    first["yuan"] = -1
    assert rule.amount_for({})["yuan"] == rule.amount["yuan"]


def test_the_cycle_collector_is_as_before_after_a_large_call():
    twice = RULES + RULES  # above the size at which evaluate() holds the collector
    assert gc.isenabled()
    assert len(evaluate({}, date(2026, 11, 22), "all", rules=twice)) == len(twice)
    assert gc.isenabled()
    gc.disable()
    try:
        evaluate({}, date(2026, 11, 22), "all", rules=twice)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_home_area_written_as_text_not_a_list_is_not_indexed():
    shaoxing = next(r for r in RULES if r.id == "shaoxing.stable_employment")
    odd = Condition(id="odd_origin", op="in", fact="origin_county", value="马边彝族自治县")
    rule = dataclasses.replace(shaoxing, scope=(odd,))
    assert origin_areas(rule) is None
    assert RuleIndex.build([rule]).fitting({"origin_county": "马边"}) == [0]
