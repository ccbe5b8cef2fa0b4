"""Plain-Chinese explanations of a result: reasons, what to bring, where to claim (templates/zh)."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.core.conditions import UNKNOWN, UNMET, ConditionOutcome
from bot.core.render import text
from bot.core.validity import ACTIVE, CLAIM_WINDOW, NOT_YET, Period
from bot.core.wording import static_text

if TYPE_CHECKING:
    from bot.core.rule_schema import Rule

# Typical papers, by the fact a condition checks (labelled as typical to the user).
BRING_BY_FACT = {
    "origin_county": "id_card", "person_category": "poverty_proof",
    "social_insurance_months": "si_record", "months_employed": "work_proof",
    "contract_months": "work_proof", "renting_self": "rent_contract",
    "certificate_level": "certificate", "trained_in_work_city": "training_proof",
    "travel_cost_yuan": "tickets", "public_welfare_post": "post_agreement",
    "business_owner": "business_licence", "rural_employees": "employee_list",
    "recommended_leader": "recommendation", "unemployed": "unemployment_reg",
    "employment_start": "work_proof", "first_arrival": "work_proof",
}


def bring_items(rule: Rule) -> list[str]:
    """What to bring: the rule's own items, else those its conditions imply (worker rules)."""
    return list(_bring(rule.bring, rule.beneficiary == "worker", tuple(rule.facts())))


@lru_cache(maxsize=256)
def _bring(own: tuple[str, ...], worker: bool, facts: tuple[str, ...]) -> tuple[str, ...]:
    keys = list(own)
    if worker:
        keys = ["id_card"] + keys
        for name in facts:
            item = BRING_BY_FACT.get(name)
            if item:
                keys.append(item)
    seen: list[str] = []
    for key in keys:
        if key not in seen:
            seen.append(key)
    return tuple(static_text(f"eval.bring.{k}") for k in seen)


def claim_text(rule: Rule, ctx: dict[str, Any]) -> str:
    """Where to claim and what to bring, in one short paragraph."""
    office = text(rule.claim, **ctx) if rule.claim else text("eval.claim.unknown")
    return text("eval.claim.with_bring", office=office, bring="、".join(bring_items(rule)))


def reasons(rule: Rule, outcomes: list[ConditionOutcome], status: str, amount: dict[str, Any] | None,
            reached: date | None, assumed: bool, as_of: date) -> list[str]:
    """Why: each condition, the nearest way to qualify, the qualifying date, the period."""
    lines = [o.reason for o in outcomes]
    near = _near_miss(rule, outcomes, amount)
    if near:
        lines.append(near)
    if rule.qualifying and reached and UNMET not in {o.status for o in outcomes}:
        end = rule.period.end
        key = "eval.qualify.inside" if end is None or reached <= end else "eval.qualify.outside"
        lines.append(text(key, day=reached, end=end, months=rule.qualifying["months"],
                          fact=rule.qualifying["fact"], assumed=assumed))
    lines.append(_status_line(rule.period, status))
    return lines


def _near_miss(rule: Rule, outcomes: list[ConditionOutcome], amount: dict[str, Any] | None) -> str | None:
    """The one gap left (or the last of several that time alone will close)."""
    unmet = [o for o in outcomes if o.status == UNMET]
    if not unmet or not all(o.gap for o in unmet) or any(o.status == UNKNOWN for o in outcomes):
        return None
    if len(unmet) > 1 and not all(o.crosses_on for o in unmet):
        return None
    last = max(unmet, key=lambda o: o.crosses_on or date.min)
    gap = last.gap
    if gap is None:  # every unmet outcome was checked above to have one
        raise ValueError(f"condition {last.id!r} is unmet without a gap")
    end = rule.period.end
    late = bool(last.crosses_on and end and last.crosses_on > end)
    return text("eval.near_miss", fact=gap["fact"], need=gap["need"], amount=amount,
                crosses_on=last.crosses_on, late=late, end=end)


@lru_cache(maxsize=256)
def _status_line(period: Period, status: str) -> str:
    if status == ACTIVE and period.end is None:
        return text("eval.status.open_ended", start=period.start)
    if status == ACTIVE:
        return text("eval.status.active", end=period.end)
    if status == CLAIM_WINDOW:
        return text("eval.status.claim_window", end=period.end, deadline=period.claim_deadline)
    if status == NOT_YET:
        return text("eval.status.not_yet", start=period.start)
    return text("eval.status.expired", deadline=period.last_claim_day())
