"""Amounts from rule data: fixed, per category/level table, formula with a cap, actual cost if lower."""
from __future__ import annotations

from typing import Any

PERIODS = ("once", "month", "year")
KINDS = ("yuan", "table", "formula")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _shape(yuan: float, spec: dict[str, Any], up_to: bool) -> dict[str, Any]:
    out = {"yuan": _number(yuan), "per": spec.get("per", "once"), "up_to": bool(up_to)}
    if spec.get("each"):
        out["each"] = spec["each"]
    return out


def compute_amount(spec: dict[str, Any] | None, facts: dict[str, Any]) -> dict[str, Any] | None:
    """The contract's amount object for these facts, or None where the document sets no figure."""
    if not spec:
        return None
    up_to = bool(spec.get("up_to"))
    if "table" in spec:
        return _table(spec, facts, up_to)
    if "formula" in spec:
        return _formula(spec, facts)
    yuan = spec["yuan"]
    actual = spec.get("actual_fact")
    if actual:
        fare = facts.get(actual)
        if fare is None:
            return _shape(yuan, spec, True)
        return _shape(min(fare, yuan), spec, up_to)
    return _shape(yuan, spec, up_to)


def _table(spec: dict[str, Any], facts: dict[str, Any], up_to: bool) -> dict[str, Any]:
    table = spec["table"]
    value = facts.get(table["fact"])
    rows: dict[Any, float] = table["values"]
    if value in rows:
        return _shape(rows[value], spec, up_to)
    return _shape(max(rows.values()), spec, True)


def _formula(spec: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    f = spec["formula"]
    count = facts.get(f["fact"])
    if count is None or count < f["from"]:
        return _shape(f["cap"], spec, True)
    return _shape(min(f["cap"], f["base"] + f["step"] * (count - f["from"])), spec, False)


def amount_facts(spec: dict[str, Any] | None) -> list[str]:
    """The facts an amount depends on."""
    if not spec:
        return []
    if "table" in spec:
        return [spec["table"]["fact"]]
    if "formula" in spec:
        return [spec["formula"]["fact"]]
    return [spec["actual_fact"]] if spec.get("actual_fact") else []


def amount_problems(spec: Any) -> list[str]:
    """What is wrong with an amount spec (empty when fine)."""
    if spec is None:
        return []
    if not isinstance(spec, dict) or not any(k in spec for k in KINDS):
        return [f"must be null or a mapping with one of {KINDS}"]
    problems = [] if spec.get("per", "once") in PERIODS else [f"per must be one of {PERIODS}"]
    if "table" in spec:
        t = spec["table"]
        if not isinstance(t, dict) or "fact" not in t or not isinstance(t.get("values"), dict) or not t["values"]:
            problems.append("table needs fact and values")
    elif "formula" in spec:
        f = spec["formula"]
        if not isinstance(f, dict) or not {"fact", "base", "from", "step", "cap"} <= set(f):
            problems.append("formula needs fact, base, from, step, cap")
    elif not isinstance(spec["yuan"], (int, float)) or isinstance(spec["yuan"], bool) or spec["yuan"] <= 0:
        problems.append("yuan must be a positive number")
    return problems
