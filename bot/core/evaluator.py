"""evaluate(facts, as_of, audience) -> list[Result]: every rule, date-aware, explained."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

from bot.core.amounts import compute_amount
from bot.core.conditions import UNKNOWN, UNMET, ConditionOutcome, evaluate_condition
from bot.core.errors import InputError
from bot.core.explain import bring_items, claim_text, reasons
from bot.core.result import Result, result_to_json
from bot.core.rules import Rule, load_rules
from bot.core.validity import OPEN_STATUSES, add_months, full_months, parse_day

AUDIENCES = ("worker", "all")
__all__ = ["AUDIENCES", "Result", "evaluate", "evaluate_rule", "qualified_on", "result_to_json"]


def _as_of_facts(facts: dict, as_of: date) -> dict:
    """Facts as of the day: months_employed follows employment_start when that is known."""
    start = parse_day(facts.get("employment_start"))
    if start is None:
        return facts
    return {**facts, "months_employed": full_months(start, as_of)}


def evaluate(facts: dict, as_of: date, audience: str = "worker", rules: Sequence[Rule] | None = None,
             keep_out_of_scope: bool = True) -> list[Result]:
    """Every rule (of the audience) evaluated for normalised facts as of a day, in rule order.

    ``rules`` defaults to the loaded rules/*.yaml (a benchmark or test may pass its own).
    With ``keep_out_of_scope=False`` rules whose scope (home area) cannot fit are left out,
    as the contract allows.
    """
    if audience not in AUDIENCES:
        raise InputError(f"不认识的对象：{audience}", f"unknown audience {audience!r}, expected {AUDIENCES}")
    facts = _as_of_facts(facts, as_of)
    rules = load_rules() if rules is None else rules
    memo: dict[int, ConditionOutcome] = {}  # conditions shared by a document's rules: once each
    chosen = [r for r in rules if audience == "all" or r.beneficiary == "worker"]
    if not keep_out_of_scope:
        chosen = [r for r in chosen if all(_check(c, facts, as_of, memo).status != UNMET for c in r.scope)]
    return [evaluate_rule(r, facts, as_of, memo) for r in chosen]


def _check(cond, facts: dict, as_of: date, memo: dict[int, ConditionOutcome]) -> ConditionOutcome:
    """A condition's outcome, evaluated once per call."""
    found = memo.get(id(cond))
    if found is None:
        found = memo[id(cond)] = evaluate_condition(cond, facts, as_of)
    return found


def _eligible(outcomes: list[ConditionOutcome]) -> bool | None:
    statuses = {o.status for o in outcomes}
    return False if UNMET in statuses else None if UNKNOWN in statuses else True


def _missing(outcomes: list[ConditionOutcome]) -> list[str]:
    from bot.core.facts import catalogue

    order = list(catalogue())
    names = {m for o in outcomes if o.status == UNKNOWN for m in o.missing}
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


def qualified_on(rule: Rule, facts: dict, as_of: date) -> tuple[date | None, bool]:
    """When the qualifying work reached its threshold, and whether that was assumed."""
    q = rule.qualifying
    if not q:
        return None, False
    start = parse_day(facts.get("employment_start"))
    if start:
        return add_months(start, q["months"]), False
    value = facts.get(q["fact"])
    if value is None or value < q["months"]:
        return None, False
    return add_months(as_of, -(value - q["months"])), True


def evaluate_rule(rule: Rule, facts: dict, as_of: date, memo: dict | None = None) -> Result:
    """One rule for one person as of a day (outside its scope, the rest is not looked at)."""
    memo = {} if memo is None else memo
    outcomes = [_check(c, facts, as_of, memo) for c in rule.scope]
    in_scope = UNMET not in {o.status for o in outcomes}
    if in_scope:
        outcomes += [_check(c, facts, as_of, memo) for c in rule.conditions]
    eligible = _eligible(outcomes)
    status = rule.period.status(as_of)
    reached, assumed = qualified_on(rule, facts, as_of)
    in_period = None if reached is None else rule.period.end is None or reached <= rule.period.end
    if eligible is False or status not in OPEN_STATUSES:
        claimable = False
    elif eligible is None:
        claimable = None
    else:
        claimable = in_period is not False
    amount = compute_amount(rule.amount, facts)
    explain = partial(_texts, rule, outcomes, status, amount, reached, assumed, as_of, facts)
    return Result(
        id=rule.id, policy=rule.document, title=rule.title, beneficiary=rule.beneficiary,
        eligible=eligible, claimable=claimable, status=status,
        claim_deadline=rule.period.last_claim_day(), amount=amount,
        missing_facts=_missing(outcomes) if eligible is None else [],
        citation={"doc": rule.document, "clause": rule.clause, "quote": rule.quote},
        conditions=outcomes, qualified_on=reached,
        period_start=rule.period.start, period_end=rule.period.end, explain=explain, in_scope=in_scope,
    )


def _texts(rule: Rule, outcomes, status, amount, reached, assumed, as_of, facts) -> dict:
    """Every sentence of one result, rendered from templates."""
    ctx = {**_claim_context(facts), "offices": "、".join(rule.offices), "quote": rule.quote}
    return {
        "reasons": reasons(rule, outcomes, status, amount, reached, assumed, as_of),
        "how_to_claim": claim_text(rule, ctx), "bring": bring_items(rule),
        "amount_note": _text(rule.amount_note, ctx), "note": _text(rule.note, ctx),
    }


def _claim_context(facts: dict) -> dict:
    keys = ("origin_county", "origin_city", "origin_province", "work_province", "work_city", "work_county")
    return {k: facts.get(k) or "" for k in keys}


def _text(key: str | None, ctx: dict) -> str | None:
    from bot.core.render import text

    return text(key, **ctx) if key else None
