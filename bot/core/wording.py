"""Words for conditions: fact values as a user reads them, and each outcome's sentence."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.core.render import cn_date, has_text, text

if TYPE_CHECKING:
    from bot.core.conditions import Condition

ORIGIN_FACTS = ("origin_county", "origin_city", "origin_province")


@lru_cache(maxsize=2048)
def display(fact: str, value: Any) -> str:
    """A fact value as a user reads it."""
    if isinstance(value, bool):
        return static_text("eval.yes" if value else "eval.no")
    if isinstance(value, date):
        return cn_date(value)
    key = f"eval.choice.{fact}.{value}"
    return static_text(key) or str(value)


@lru_cache(maxsize=512)
def static_text(key: str) -> str:
    """A template string without variables (labels, names), rendered once; "" when absent."""
    return text(key) if has_text(key) else ""


def reason_text(cond: Condition, status: str, ctx: dict[str, Any]) -> str:
    """Plain Chinese for an outcome: the condition's own string, else the operator's."""
    key = f"eval.cond.{cond.id}"
    if not has_text(key):
        kind = "origin" if cond.fact in ORIGIN_FACTS else "org" if cond.id.startswith("org_") else cond.op
        key = f"eval.op.{kind}"
    fact = cond.fact or ""
    label = static_text(f"eval.fact.{fact}")
    unit = unit_of(fact) if fact else None
    base = {"value": "", "need": _need(cond) if cond.fact else "", "unclear": False, "inferred": False, "place": "", "home": "", "work": ""}
    return text(key, status=status, label=label, unit=static_text(f"eval.unit.{unit}") if unit else "", **{**base, **ctx})


def _need(cond: Condition) -> str:
    if cond.op == "in":
        return "、".join(display(cond.fact, v) for v in cond.value)
    return display(cond.fact, cond.value)


def unit_of(fact: str) -> str | None:
    """The unit of a count fact (month, person, yuan), from rules/facts.yaml."""
    from bot.core.facts import catalogue

    return catalogue().get(fact, {}).get("unit")


