"""The question catalogue: rules/facts.yaml grouped by ``ask``, with buttons and parsers."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from bot.config import POLICY_ROOT

MONTH_PRESETS = (1, 2, 3, 6, 12, 24)
FACTS_FILE = POLICY_ROOT / "rules" / "facts.yaml"


@dataclass(frozen=True)
class Question:
    """One question of the interview; it fills one or more facts."""

    key: str                  # the ``ask`` name, e.g. "employment_start"
    facts: tuple[str, ...]    # the facts it fills
    order: int
    kind: str                 # county | work_place | category | certificate | enum | date | months | number | yes_no
    choices: tuple[str, ...]  # enum values offered as buttons


def _kind(name: str, spec: dict[str, Any]) -> str:
    """The answer kind of one fact."""
    kind = spec.get("type", "string")
    if kind == "place":
        return "county"
    if spec.get("ask") == "work_place":
        return "work_place"
    if kind == "enum":
        return {"person_category": "category", "certificate_level": "certificate"}.get(name, "enum")
    if kind in ("int", "number"):
        return "months" if spec.get("unit") == "month" else "number"
    return {"date": "date", "bool": "yes_no"}.get(kind, "text")


@lru_cache(maxsize=1)
def fact_specs() -> dict[str, dict[str, Any]]:
    """The fact vocabulary from rules/facts.yaml."""
    specs: dict[str, dict[str, Any]] = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))["facts"]
    return specs


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Question]:
    """Every question by key, built from the fact vocabulary."""
    grouped: dict[str, list[str]] = {}
    for name, spec in fact_specs().items():
        grouped.setdefault(spec.get("ask", name), []).append(name)
    questions = {}
    for key, names in grouped.items():
        main = names[0]
        spec = fact_specs()[main]
        questions[key] = Question(
            key=key,
            facts=tuple(names),
            order=min(int(fact_specs()[n].get("order", 999)) for n in names),
            kind=_kind(main, spec),
            choices=tuple(spec.get("choices", ())),
        )
    return questions


def question_for_fact(fact: str) -> Question | None:
    """The question that fills ``fact`` (None for derived facts such as origin_city)."""
    spec = fact_specs().get(fact)
    return catalogue().get(spec.get("ask", fact)) if spec else None
