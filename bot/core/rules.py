"""Load and validate rules/<doc-id>.yaml (schema: rules/README.md); cached after the first load."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.config import ROOT
from bot.core.conditions import DERIVED
from bot.core.errors import InputError, RulesError
from bot.core.rule_schema import Rule, read_rules_file, squash

RULES_DIR = ROOT / "rules"
__all__ = ["RULES_DIR", "Rule", "check_rules", "load_rules", "read_rules_file", "squash", "validate"]


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


def _templates(rule: Rule, where: str, has_text) -> list[str]:
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


def _knowledge():
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
