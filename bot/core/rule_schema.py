"""Reading one rules/<doc-id>.yaml file into Rule objects, with per-file problems (schema: rules/README.md)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.core.amounts import amount_facts, amount_problems, compute_amount
from bot.core.conditions import OPERATORS, Condition
from bot.core.validity import Period

BENEFICIARIES = ("worker", "employer", "agency", "training_org", "workshop", "workstation", "base")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REQUIRED = ("id", "title", "clause", "quote", "beneficiary", "amount")
OPTIONAL = ("scope", "conditions", "amount_note", "qualifying", "claim", "bring", "note", "period", "offices")


@dataclass(frozen=True)
class Rule:
    """One subsidy or service of one document, as data."""

    id: str
    title: str
    document: str
    clause: str
    quote: str
    beneficiary: str
    scope: tuple[Condition, ...]
    conditions: tuple[Condition, ...]
    amount: dict[str, Any] | None
    amount_note: str | None
    period: Period
    qualifying: dict[str, Any] | None
    claim: str
    bring: tuple[str, ...]
    note: str | None
    source: str
    offices: tuple[str, ...] = ()
    # Computed once in __post_init__ (outside __init__, equality, hash and repr):
    _reads_facts: bool = field(init=False, repr=False, compare=False)   # the amount depends on facts
    _fixed_amount: dict[str, Any] | None = field(init=False, repr=False, compare=False)  # else the figure

    def __post_init__(self) -> None:
        reads = bool(amount_problems(self.amount) or amount_facts(self.amount))
        object.__setattr__(self, "_reads_facts", reads)
        object.__setattr__(self, "_fixed_amount", None if reads else compute_amount(self.amount, {}))

    def amount_for(self, facts: dict[str, Any]) -> dict[str, Any] | None:
        """The amount object for these facts (a fixed figure is computed once and handed out as a copy)."""
        if self._reads_facts:
            return compute_amount(self.amount, facts)
        fixed = self._fixed_amount
        return None if fixed is None else dict(fixed)

    def all_conditions(self) -> tuple[Condition, ...]:
        """Scope conditions first, then the rule's own."""
        return self.scope + self.conditions

    def facts(self) -> list[str]:
        """Every fact the rule reads."""
        names = {f for c in self.all_conditions() for f in c.facts()} | set(amount_facts(self.amount))
        if self.qualifying:
            names |= {self.qualifying["fact"], "employment_start"}
        return sorted(names)


class _Problems(list[str]):
    """Problems found while reading one file, each naming file, rule and field."""

    def add(self, where: str, field: str, message: str) -> None:
        self.append(f"{where}: {field}: {message}")


def squash(text: str) -> str:
    """Text compared for quotes: width-folded, whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_condition(raw: Any, named: dict[str, Any], where: str, problems: _Problems) -> Condition | None:
    """A condition from YAML: a name defined under ``conditions:`` or an inline mapping."""
    if isinstance(raw, str):
        if raw not in named or not isinstance(named[raw], dict):
            problems.add(where, "conditions", f"unknown condition name {raw!r}")
            return None
        parsed: dict[str, Condition | None] = named.setdefault("_parsed", {})  # one object per name: evaluated once per call
        if raw not in parsed:
            parsed[raw] = parse_condition({"id": raw, **named[raw]}, named, where, problems)
        return parsed[raw]
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        problems.add(where, "conditions", f"a condition needs an id: {raw!r}")
        return None
    ops = [k for k in raw if k in OPERATORS]
    if len(ops) != 1:
        problems.add(where, f"condition {raw['id']}", f"needs exactly one operator of {OPERATORS}")
        return None
    op, value = ops[0], raw[ops[0]]
    extra = set(raw) - {"id", "fact", "unclear", "bound_by", op}
    if extra:
        problems.add(where, f"condition {raw['id']}", f"unknown keys {sorted(extra)}")
    parts: tuple[Condition, ...] = ()
    if op in ("any", "all"):
        parts = tuple(c for c in (parse_condition(p, named, where, problems) for p in value or []) if c)
    fact = raw.get("fact")
    if op in ("at_least", "at_most", "in", "equals", "on_or_after", "before") and not fact:
        problems.add(where, f"condition {raw['id']}", f"operator {op} needs a fact")
    if op in ("on_or_after", "before") and not isinstance(value, date):
        problems.add(where, f"condition {raw['id']}", f"bad date {value!r}")
    if op == "in" and not isinstance(value, list):
        problems.add(where, f"condition {raw['id']}", "in needs a list")
    return Condition(
        id=raw["id"], op=op, fact=fact, value=value, unclear=tuple(raw.get("unclear") or ()),
        bound_by=raw.get("bound_by"), parts=parts,
    )


def _period(raw: Any, base: Period | None, where: str, problems: _Problems) -> Period:
    raw = raw or {}
    values = {}
    for key in ("start", "end", "claim_deadline"):
        value = raw.get(key, getattr(base, key) if base else None)
        if value is not None and not isinstance(value, date):
            problems.add(where, f"period.{key}", f"bad date {value!r} (write YYYY-MM-DD)")
            value = None
        values[key] = value
    return Period(**values)


def _rule(raw: dict[str, Any], doc: dict[str, Any], named: dict[str, Any], path: Path, problems: _Problems) -> Rule | None:
    where = f"{path.name}: rule {raw.get('id', '?')}"
    for key in REQUIRED:
        if key not in raw:
            problems.add(where, key, "missing field")
    if any(key not in raw for key in REQUIRED):
        return None
    unknown = set(raw) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        problems.add(where, "fields", f"unknown fields {sorted(unknown)}")
    q = raw.get("qualifying")
    if q is not None and (not isinstance(q, dict) or not isinstance(q.get("months"), int) or "fact" not in q):
        problems.add(where, "qualifying", "needs fact and months (a whole number)")
    if raw["beneficiary"] not in BENEFICIARIES:
        problems.add(where, "beneficiary", f"must be one of {BENEFICIARIES}")
    for text in amount_problems(raw["amount"]):
        problems.add(where, "amount", text)
    if raw["amount"] is None and not raw.get("amount_note"):
        problems.add(where, "amount_note", "needed when amount is null")
    scope = [parse_condition(c, named, where, problems) for c in raw.get("scope", doc.get("scope", []))]
    conds = [parse_condition(c, named, where, problems) for c in raw.get("conditions") or []]
    return Rule(
        id=raw["id"], title=raw["title"], document=doc["document"], clause=str(raw["clause"]),
        quote=str(raw["quote"]), beneficiary=raw["beneficiary"],
        scope=tuple(c for c in scope if c), conditions=tuple(c for c in conds if c),
        amount=raw["amount"], amount_note=raw.get("amount_note"),
        period=_period(raw.get("period"), doc["_period"], where, problems),
        qualifying=raw.get("qualifying"), claim=raw.get("claim", doc.get("claim", "")),
        bring=tuple(raw.get("bring") or ()), note=raw.get("note", doc.get("note")), source=path.name,
        offices=tuple(raw.get("offices") or ()),
    )


def read_rules_file(path: Path) -> tuple[list[Rule], list[str]]:
    """Rules of one file and the problems found in it (never raises on bad content)."""
    problems = _Problems()
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [], [f"{path.name}: cannot read: {str(exc).splitlines()[0]}"]
    except ValueError as exc:  # a date YAML cannot build, e.g. 2024-02-30
        return [], [f"{path.name}: bad date: {exc}"]
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list) or not doc.get("document"):
        return [], [f"{path.name}: must be a mapping with 'document' and a 'rules' list"]
    doc["_period"] = _period(doc.get("period"), None, path.name, problems)
    named = dict(doc.get("conditions") or {})
    rules = [r for r in (_rule(raw, doc, named, path, problems) for raw in doc["rules"] if isinstance(raw, dict)) if r]
    return rules, list(problems)


