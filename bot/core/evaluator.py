"""evaluate(facts, as_of, audience) -> list[Result]: every rule, date-aware, explained."""
from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache, partial
from typing import Any

from bot.core.conditions import UNKNOWN, UNMET, Condition, ConditionOutcome, evaluate_condition
from bot.core.errors import InputError
from bot.core.explain import bring_items, claim_text, reasons
from bot.core.live import refresh
from bot.core.result import Result, Texts, result_to_json
from bot.core.rules import Rule, load_rules, rule_index
from bot.core.validity import OPEN_STATUSES, add_months, full_months, parse_day

AUDIENCES = ("worker", "all")
LARGE = 200  # rules: above this, the cycle collector is held during a call
# One call's cache: a condition slot -> its ConditionOutcome, ("missing", *facts) -> the sorted
# facts to ask, ("qualified", fact, months) -> qualified_on()'s answer.
Memo = dict[object, Any]
__all__ = ["AUDIENCES", "Result", "evaluate", "evaluate_rule", "qualified_on", "result_to_json"]


def _as_of_facts(facts: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Facts as of the day: months_employed follows employment_start when that is known, and is
    at least the months of social insurance paid at the work place (paid there means worked
    there: a change of employer in the work city does not undo continuous work already done)."""
    start = parse_day(facts.get("employment_start"))
    months = full_months(start, as_of) if start else facts.get("months_employed")
    insured = facts.get("social_insurance_months")
    if months is not None and insured is not None and insured > months:
        months = insured
    if months is None or months == facts.get("months_employed"):
        return facts
    return {**facts, "months_employed": months}


def evaluate(facts: dict[str, Any], as_of: date, audience: str = "worker", rules: Sequence[Rule] | None = None,
             keep_out_of_scope: bool = True) -> list[Result]:
    """Every rule (of the audience) evaluated for normalised facts as of a day, in rule order.

    ``rules`` defaults to the loaded rules/*.yaml (a benchmark or test may pass its own; it is
    indexed once, so pass the same unchanged sequence again). With ``keep_out_of_scope=False``
    rules whose scope (home area) cannot fit are left out, as the contract allows: the index
    then picks the few rules of the person's home area instead of checking every document.
    """
    if audience not in AUDIENCES:
        raise InputError(f"不认识的对象：{audience}", f"unknown audience {audience!r}, expected {AUDIENCES}")
    if rules is None:
        refresh()  # the deployed rules changed on disk: load them again
    facts = _as_of_facts(facts, as_of)
    index = rule_index(load_rules() if rules is None else rules, audience)
    memo: Memo = {}  # equal conditions (a document's, or many documents'): once each
    with _no_cycle_collection(len(index.rules)):
        if keep_out_of_scope:
            return [evaluate_rule(r, facts, as_of, memo) for r in index.rules]
        out = []
        for at in index.fitting(facts):
            rule = index.rules[at]
            scope = _outcomes(rule.scope, facts, as_of, memo)
            if not any(o.status == UNMET for o in scope):
                out.append(_result(rule, scope, facts, as_of, memo))
        return out


@contextmanager
def _no_cycle_collection(rules: int) -> Iterator[None]:
    """Hold the cycle collector while thousands of results are built (they form no cycles).

    Each result is a few small objects kept alive in the list being built, so the collector
    would scan them again and again: with 500 documents it doubled the time of a call.
    """
    paused = rules > LARGE and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _outcomes(conds: tuple[Condition, ...], facts: dict[str, Any], as_of: date, memo: Memo) -> list[ConditionOutcome]:
    """Each condition's outcome, evaluated once per call for each distinct condition."""
    found = []
    for cond in conds:
        outcome = memo.get(cond.slot)
        if outcome is None:
            outcome = memo[cond.slot] = evaluate_condition(cond, facts, as_of)
        found.append(outcome)
    return found


def _eligible(statuses: set[str]) -> bool | None:
    return False if UNMET in statuses else None if UNKNOWN in statuses else True


@lru_cache(maxsize=1)
def _fact_rank() -> dict[str, int]:
    from bot.core.facts import catalogue

    return {name: at for at, name in enumerate(catalogue())}


def _missing(outcomes: list[ConditionOutcome], memo: Memo) -> list[str]:
    """Facts to ask for, in vocabulary order (once per call for each set of unknown outcomes)."""
    key = ("missing", *(m for o in outcomes if o.status == UNKNOWN for m in o.missing))
    names = memo.get(key)
    if names is None:
        rank = _fact_rank()
        names = memo[key] = sorted(set(key[1:]), key=lambda n: rank.get(n, len(rank)))
    return list(names)


def _qualified(rule: Rule, facts: dict[str, Any], as_of: date, memo: Memo) -> tuple[date | None, bool]:
    """qualified_on(), once per call for each (fact, months) threshold."""
    q = rule.qualifying
    if not q:
        return None, False
    key = ("qualified", q["fact"], q["months"])
    found = memo.get(key)
    if found is None:
        found = memo[key] = qualified_on(rule, facts, as_of)
    return found


def qualified_on(rule: Rule, facts: dict[str, Any], as_of: date) -> tuple[date | None, bool]:
    """When the qualifying work reached its threshold, and whether that was assumed."""
    q = rule.qualifying
    if not q:
        return None, False
    start = parse_day(facts.get("employment_start"))
    insured = facts.get("social_insurance_months")
    if q["fact"] == "social_insurance_months" and insured is not None:
        return _reached_by_count(insured, q["months"], start, as_of)
    came = parse_day(facts.get("first_arrival"))
    if q["months"] == 0 and came and (start is None or came < start):
        # "started working there inside the period": the first arrival, not the current job
        return came, False
    by_job = add_months(start, q["months"]) if start else None
    if q["fact"] == "months_employed" and q["months"] and insured is not None \
            and facts.get("months_employed") is not None:
        # months insured at the work place are months worked there (a change of employer
        # does not undo them): whichever reached the threshold first; with the work's length
        # unknown, its condition is unknown and no date is made up for it
        by_insurance, assumed = _reached_by_count(insured, q["months"], start, as_of)
        if by_insurance and (by_job is None or by_insurance < by_job):
            return by_insurance, assumed
    if by_job:
        return by_job, False
    value = facts.get(q["fact"])
    if value is None or value < q["months"]:
        return None, False
    return add_months(as_of, -(value - q["months"])), True


def _reached_by_count(stated: int, months: int, start: date | None,
                      as_of: date) -> tuple[date | None, bool]:
    """The day a stated count (社保 paid, as of ``as_of``) reached ``months``.

    The count is a fact as of the day asked: paid up to that day, the threshold was reached
    ``stated - months`` months before it, whatever job the person has now (a change of
    employer in the work city does not undo a condition already met). A count that covers
    the whole current job was paid from its start, so the job's start dates it exactly (or
    the count, when it reaches further back). A shorter count is not stretched back to the
    job's start: nothing said when paying began, so the day counted back is taken.
    """
    if stated < months:
        return None, False
    by_count = add_months(as_of, -(stated - months))
    if start and stated >= full_months(start, as_of):
        by_job = add_months(start, months)
        if by_job <= by_count:
            return by_job, False
    return by_count, True


def evaluate_rule(rule: Rule, facts: dict[str, Any], as_of: date, memo: Memo | None = None) -> Result:
    """One rule for one person as of a day (outside its scope, the rest is not looked at)."""
    memo = {} if memo is None else memo
    return _result(rule, _outcomes(rule.scope, facts, as_of, memo), facts, as_of, memo)


def _result(rule: Rule, outcomes: list[ConditionOutcome], facts: dict[str, Any], as_of: date, memo: Memo) -> Result:
    """The result of a rule, given its scope's outcomes."""
    statuses = {o.status for o in outcomes}
    in_scope = UNMET not in statuses
    if in_scope and rule.conditions:
        more = _outcomes(rule.conditions, facts, as_of, memo)
        outcomes += more
        statuses.update(o.status for o in more)
    eligible = _eligible(statuses)
    period = rule.period
    status = period.status(as_of)
    reached, assumed = _qualified(rule, facts, as_of, memo)
    in_period = None if reached is None else period.end is None or reached <= period.end
    if eligible is False or status not in OPEN_STATUSES:
        claimable = False
    elif eligible is None:
        claimable = None
    else:
        claimable = in_period is not False
    amount = rule.amount_for(facts)
    explain = partial(_texts, rule, outcomes, status, amount, reached, assumed, as_of, facts)
    return Result(
        id=rule.id, policy=rule.document, title=rule.title, beneficiary=rule.beneficiary,
        eligible=eligible, claimable=claimable, status=status,
        claim_deadline=period.last_claim_day(), amount=amount,
        missing_facts=_missing(outcomes, memo) if eligible is None else [],
        citation={"doc": rule.document, "clause": rule.clause, "quote": rule.quote},
        conditions=outcomes, qualified_on=reached,
        period_start=period.start, period_end=period.end, explain=explain, in_scope=in_scope,
    )


def _texts(rule: Rule, outcomes: list[ConditionOutcome], status: str, amount: dict[str, Any] | None,
           reached: date | None, assumed: bool, as_of: date, facts: dict[str, Any]) -> Texts:
    """Every sentence of one result, rendered from templates."""
    ctx = {**_claim_context(facts), "offices": "、".join(rule.offices), "quote": rule.quote}
    return {
        "reasons": reasons(rule, outcomes, status, amount, reached, assumed, as_of),
        "how_to_claim": claim_text(rule, ctx), "bring": bring_items(rule),
        "amount_note": _text(rule.amount_note, ctx), "note": _text(rule.note, ctx),
    }


def _claim_context(facts: dict[str, Any]) -> dict[str, Any]:
    keys = ("origin_county", "origin_city", "origin_province", "work_province", "work_city", "work_county")
    return {k: facts.get(k) or "" for k in keys}


def _text(key: str | None, ctx: dict[str, Any]) -> str | None:
    from bot.core.render import text

    return text(key, **ctx) if key else None
