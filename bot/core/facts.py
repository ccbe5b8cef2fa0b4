"""The fact vocabulary (rules/facts.yaml) and normalise_facts(): raw input -> checked facts."""
from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import yaml

from bot.config import POLICY_ROOT
from bot.core.errors import InputError, RulesError
from bot.core.facts_input import CLIP, YEARS, clip
from bot.core.validity import full_months

FACTS_FILE = POLICY_ROOT / "rules" / "facts.yaml"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DERIVED_KEYS = ("origin_city", "origin_province")  # filled from origin_county, accepted back
WORK_KEYS = ("work_province", "work_city", "work_county")
MAX_DIGITS = 10  # no fact is a number of more than 10 digits


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    """The fact catalogue from rules/facts.yaml: name -> {type, ask, choices, min, max, unit}."""
    try:
        data = yaml.load(FACTS_FILE.read_text(encoding="utf-8"), Loader=LOADER) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"事实清单读不了：{FACTS_FILE.name}", f"cannot read {FACTS_FILE.name}: {exc}") from None
    facts = data.get("facts") if isinstance(data, dict) else None
    if not isinstance(facts, dict):
        raise RulesError(f"{FACTS_FILE.name} 缺少 facts 表", f"{FACTS_FILE.name}: no 'facts' mapping")
    return facts


def _bad(key: str, problem: str, en: str, **ctx: Any) -> InputError:
    """A one-line zh + en error about one fact (zh wording: templates/zh/evaluator.yaml)."""
    from bot.core.render import has_text, text

    label = text(f"eval.fact.{key}") if has_text(f"eval.fact.{key}") else clip(key)
    return InputError(text(f"eval.input.{problem}", name=clip(key), label=label, **ctx), f"{clip(key)}: {en}")


def _check_value(key: str, spec: dict[str, Any], value: Any) -> Any:
    """One raw value checked and converted by its declared type."""
    kind = spec.get("type")
    if kind in ("string", "place", "work_place"):
        if not isinstance(value, str) or not value.strip():
            raise _bad(key, "text", "expected a non-empty string")
        if len(value.strip()) > CLIP:
            raise _bad(key, "too_long", f"longer than {CLIP} characters: {clip(value)}", value=clip(value), most=CLIP)
        return value.strip()
    if kind == "bool":
        if not isinstance(value, bool):
            raise _bad(key, "bool", "expected true or false")
        return value
    if kind == "enum":
        if value not in spec.get("choices", []):
            raise _bad(key, "enum", f"unknown value {clip(value)}, expected one of {spec.get('choices')}",
                       value=clip(value))
        return value
    if kind == "date":
        return _check_date(key, value).isoformat()
    return _check_number(key, spec, value)


def _check_date(key: str, value: Any) -> date:
    """A date: a YAML date (a date-time's day), or YYYY-MM-DD text, in the years 1950-2100."""
    if isinstance(value, datetime):
        value = value.date()
    try:
        day = value if isinstance(value, date) else (
            date.fromisoformat(str(value)) if isinstance(value, str) and len(value) == 10 else _raise())
    except ValueError:
        raise _bad(key, "date", f"malformed date {clip(value)} (expected YYYY-MM-DD)", value=clip(value)) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise _bad(key, "year", f"year {day.year} outside {YEARS[0]}-{YEARS[1]}",
                   value=day.isoformat(), first=YEARS[0], last=YEARS[1])
    return day


def _raise() -> date:
    raise ValueError("not an ISO date")


def _check_number(key: str, spec: dict[str, Any], value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(key, "number", "expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _bad(key, "number", "expected a finite number")
    if abs(value) >= 10**MAX_DIGITS:  # before any float() of a 400-digit integer
        raise _bad(key, "digits", f"more than {MAX_DIGITS} digits", most=MAX_DIGITS)
    if spec.get("type") == "int":
        if float(value) != int(value):
            raise _bad(key, "whole", "expected a whole number")
        value = int(value)
    if value < spec.get("min", 0):
        raise _bad(key, "negative", f"must be at least {spec.get('min', 0)}")
    if "max" in spec and value > spec["max"]:
        raise _bad(key, "too_big", f"must be at most {spec['max']}", most=spec["max"])
    return int(value) if float(value).is_integer() else value


def normalise_facts(raw: dict[str, Any], as_of: date | None = None) -> dict[str, Any]:
    """Check raw facts against the vocabulary and fill derived ones (see cli-contract.md)."""
    if not isinstance(raw, dict):
        raise _bad("facts", "mapping", "facts must be a mapping")
    specs, facts = catalogue(), {}
    raw_as_of = raw.get("as_of")
    for key, value in raw.items():
        if key == "as_of" or key in DERIVED_KEYS:
            continue
        if key not in specs:  # refused whatever its value, null included
            raise _bad(key, "unknown", "unknown fact")
        if value is not None:  # a known fact given as null is unknown
            facts[key] = _check_value(key, specs[key], value)
    if "origin_county" in facts:
        facts.update(_origin(facts["origin_county"]))
    facts.update(_work_place({k: facts.get(k) for k in WORK_KEYS}))
    if "employment_start" in facts:
        day = as_of or (_check_date("as_of", raw_as_of) if raw_as_of else _today())
        facts["months_employed"] = full_months(date.fromisoformat(facts["employment_start"]), day)
    if "unemployed" not in facts and "months_employed" in facts:
        # A current job (its start or its length is known) means not out of work.
        facts["unemployed"] = False
    return {k: facts[k] for k in _ordered(facts)}


def _ordered(facts: dict[str, Any]) -> list[str]:
    """Vocabulary order, with the origin's city and province right after the county."""
    order = list(catalogue())
    at = order.index("origin_county") + 1 if "origin_county" in order else len(order)
    order[at:at] = list(DERIVED_KEYS)
    return sorted(facts, key=lambda k: order.index(k) if k in order else len(order))


def _today() -> date:
    from bot.core.clock import today

    return today()


def _origin(name: str) -> dict[str, str]:
    """origin_county resolved by the gazetteer to full county, city and province names."""
    from bot.core.places import resolve_county

    place = resolve_county(name)
    return {"origin_county": place.name, "origin_city": place.city, "origin_province": place.province}


def _work_place(given: dict[str, str | None]) -> dict[str, str]:
    """work_province / work_city / work_county as full names; InputError when a part cannot be
    read or the parts disagree (an unreadable province is never "another province")."""
    if not any(given.values()):
        return {}
    from bot.core.places import resolve_work_facts

    found = resolve_work_facts(given["work_province"], given["work_city"], given["work_county"])
    out = {"work_province": found.province, "work_city": found.city, "work_county": found.county}
    return {k: v for k, v in out.items() if v}
