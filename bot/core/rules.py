"""Load and validate rules/<doc-id>.yaml (schema: rules/README.md); cached after the first load."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import POLICY_ROOT
from bot.core.conditions import DERIVED
from bot.core.errors import InputError, RulesError
from bot.core.rule_schema import Rule, read_rules_file, squash

if TYPE_CHECKING:
    from bot.core.knowledge import KnowledgeBase

RULES_DIR = POLICY_ROOT / "rules"
ORIGIN_FACTS = ("origin_county", "origin_city", "origin_province")
__all__ = ["RULES_DIR", "Rule", "RuleIndex", "check_rules", "load_rules", "origin_areas", "read_rules_file",
           "rule_index", "squash", "validate"]


def _rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name != "facts.yaml")


def validate(rules: list[Rule], knowledge: Any = None, templates: bool = True) -> list[str]:
    """Cross-file checks: duplicate ids, facts, templates, clauses and quotes."""
    from bot.core.facts import catalogue
    from bot.core.render import has_text

    problems, seen, facts = [], set(), catalogue()
    for rule in rules:
        where = f"{rule.source}: rule {rule.id}"
        if rule.id in seen:
            problems.append(f"{where}: id: duplicate id")
        seen.add(rule.id)
        for name in rule.facts():
            if DERIVED.get(name, name) not in facts:
                problems.append(f"{where}: conditions: unknown fact {name!r}")
        if knowledge is not None:
            problems += _cited(rule, knowledge, where)
        if templates:
            problems += _templates(rule, where, has_text)
    return problems


def _templates(rule: Rule, where: str, has_text: Callable[[str], bool]) -> list[str]:
    problems = []
    for field, key in (("claim", rule.claim), ("note", rule.note), ("amount_note", rule.amount_note)):
        if key and not has_text(key):
            problems.append(f"{where}: {field}: no template {key!r} in templates/zh")
    for item in rule.bring:
        if not has_text(f"eval.bring.{item}"):
            problems.append(f"{where}: bring: no template 'eval.bring.{item}'")
    return problems


def _cited(rule: Rule, knowledge: Any, where: str) -> list[str]:
    clause = knowledge.clause(rule.document, rule.clause)
    if clause is None:
        return [f"{where}: clause: {rule.document} has no clause {rule.clause!r} in knowledge/"]
    if squash(rule.quote) not in squash(clause.text):
        return [f"{where}: quote: not found verbatim in {rule.document} {rule.clause}"]
    return []


def _knowledge() -> KnowledgeBase | None:
    try:
        from bot.core.knowledge import load_knowledge
    except ImportError:
        return None
    return load_knowledge()


def check_rules(directory: Path = RULES_DIR, knowledge: Any = "default") -> list[str]:
    """Every problem in the rules files (empty when fine); for ``python -m bot rules check``."""
    problems, rules = [], []
    files = _rule_files(directory)
    if not files:
        return [f"{directory}: no rules files"]
    for path in files:
        found, trouble = read_rules_file(path)
        rules += found
        problems += trouble
    try:
        kb = _knowledge() if knowledge == "default" else knowledge
    except (InputError, OSError, ValueError) as exc:  # a broken knowledge base is reported
        problems.append(f"knowledge: cannot load: {exc}")
        kb = None
    return problems + validate(rules, kb)


@lru_cache(maxsize=4)
def load_rules(directory: Path = RULES_DIR) -> tuple[Rule, ...]:
    """All rules, validated; RulesError naming file, rule and field when any is broken."""
    problems, rules = [], []
    for path in _rule_files(directory):
        found, trouble = read_rules_file(path)
        rules += found
        problems += trouble
    if not rules and not problems:
        problems.append(f"{directory}: no rules files")
    try:
        kb = _knowledge()
    except (InputError, OSError, ValueError) as exc:
        raise RulesError("知识库读不了，无法核对规则的引文", f"knowledge: cannot load: {exc}") from None
    problems += validate(rules, kb, templates=False)  # template keys: check_rules()
    if problems:
        raise RulesError("规则文件有错：" + problems[0], "; ".join(problems[:5]))
    return tuple(rules)


def origin_areas(rule: Rule) -> tuple[str, frozenset[Any]] | None:
    """The first home-area condition of a rule's scope: its fact and every value that is not unmet."""
    for cond in rule.scope:
        listed = cond.op == "in" and isinstance(cond.value, (list, tuple))
        if cond.fact in ORIGIN_FACTS and (listed or cond.op == "equals"):
            values = cond.value if listed else [cond.value]
            try:
                return cond.fact, frozenset([*values, *cond.unclear])
            except TypeError:  # an unhashable value: not indexed
                continue
    return None


@dataclass(frozen=True)
class RuleIndex:
    """Rules (in order) indexed by the home areas their scope admits; built once per rule set."""

    rules: tuple[Rule, ...]
    open: tuple[int, ...]                         # positions of rules with no home-area condition
    by_fact: dict[str, tuple[int, ...]]           # origin fact -> positions of the rules keyed on it
    by_area: dict[tuple[str, Any], tuple[int, ...]]

    @classmethod
    def build(cls, rules: Sequence[Rule]) -> RuleIndex:
        """Index each rule under every area its first home-area condition admits."""
        opened: list[int] = []
        by_fact: dict[str, list[int]] = {}
        by_area: dict[tuple[str, Any], list[int]] = {}
        for at, rule in enumerate(rules):
            key = origin_areas(rule)
            if key is None:
                opened.append(at)
                continue
            by_fact.setdefault(key[0], []).append(at)
            for value in key[1]:
                by_area.setdefault((key[0], value), []).append(at)
        return cls(tuple(rules), tuple(opened), {k: tuple(v) for k, v in by_fact.items()},
                   {k: tuple(v) for k, v in by_area.items()})

    def fitting(self, facts: dict[str, Any]) -> list[int]:
        """Positions, in rule order, of the rules whose home-area condition is not unmet by the facts."""
        if all(facts.get(fact) is None for fact in self.by_fact):
            return list(range(len(self.rules)))
        picked = list(self.open)
        for fact, keyed in self.by_fact.items():
            value = facts.get(fact)
            try:
                picked += keyed if value is None else self.by_area.get((fact, value), ())
            except TypeError:  # an unhashable value: let the conditions decide
                picked += keyed
        return sorted(picked)


_INDEXES: dict[tuple[int, str], tuple[Sequence[Rule], int, RuleIndex]] = {}


def rule_index(rules: Sequence[Rule], audience: str) -> RuleIndex:
    """The index of the rules of an audience ("worker": worker rules only), cached per rule set."""
    key = (id(rules), audience)
    found = _INDEXES.get(key)
    if found is None or found[0] is not rules or found[1] != len(rules):
        chosen = [r for r in rules if audience == "all" or r.beneficiary == "worker"]
        if len(_INDEXES) >= 16:
            _INDEXES.clear()
        found = _INDEXES[key] = (rules, len(rules), RuleIndex.build(chosen))
    return found[2]
