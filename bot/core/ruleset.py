"""One deployed set of rules + knowledge, read from any directory, and what changed between two.

A rule set is what a rules version names: the files under ``<root>/rules`` and
``<root>/knowledge``. ``load_rule_set(root)`` reads and validates them like ``rules check``
(without touching the process's cached rules), so an older version kept as a snapshot, a copy
in a test or a staged change can be evaluated and compared with the deployed one.
"""
from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.amounts import compute_amount
from bot.core.errors import InputError, RulesError
from bot.core.rule_schema import Rule, read_rules_file
from bot.core.version import files_hash, policy_files

COMPARED = ("title", "amount", "period_start", "period_end", "claim_deadline", "scope",
            "conditions", "qualifying", "beneficiary", "text")


@dataclass(frozen=True)
class RuleSet:
    """The rules of one version, with the titles of its documents."""

    version: str
    rules: tuple[Rule, ...]
    titles: dict[str, str] = field(default_factory=dict)   # document id -> short title
    files: dict[str, bytes] = field(default_factory=dict, repr=False)

    def by_id(self) -> dict[str, Rule]:
        """Rules by id."""
        return {rule.id: rule for rule in self.rules}

    def documents(self) -> set[str]:
        """The ids of the documents its rules come from."""
        return {rule.document for rule in self.rules}


def _rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name != "facts.yaml")


def rule_set_problems(root: Path) -> tuple[list[Rule], list[str], Any]:
    """The rules under ``root``, every problem ``rules check`` would name, and the knowledge base."""
    from bot.core.knowledge import load_knowledge
    from bot.core.rules import validate

    problems: list[str] = []
    rules: list[Rule] = []
    files = _rule_files(root / "rules")
    if not files:
        problems.append(f"{root / 'rules'}: no rules files")
    for path in files:
        found, trouble = read_rules_file(path)
        rules += found
        problems += trouble
    try:
        kb = load_knowledge.__wrapped__(root / "knowledge")  # uncached: this root's own files
    except (InputError, OSError, ValueError) as exc:
        problems.append(f"knowledge: cannot load: {exc}")
        kb = None
    return rules, problems + validate(rules, kb), kb


def load_rule_set(root: Path) -> RuleSet:
    """The validated rule set under ``root``; RulesError naming file, rule and field otherwise."""
    root = Path(root)
    files = policy_files(root)
    rules, problems, kb = rule_set_problems(root)
    if problems:
        raise RulesError("规则文件有错：" + problems[0], "; ".join(problems[:5]))
    titles = {doc_id: doc.meta.get("short_title") or doc.title for doc_id, doc in kb.documents.items()}
    return RuleSet(files_hash(files), tuple(rules), titles, files)


def write_files(root: Path, files: Mapping[str, bytes]) -> None:
    """Write a rule set's files (relative paths under rules/ or knowledge/) below ``root``."""
    for relative, data in files.items():
        parts = Path(relative).parts
        if not parts or parts[0] not in ("rules", "knowledge") or ".." in parts:
            raise InputError(f"文件名不对：{relative}", f"not a rules or knowledge path: {relative}")
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def rule_set_from_files(files: Mapping[str, bytes]) -> RuleSet:
    """The rule set of a snapshot's files (validated from a temporary copy)."""
    with tempfile.TemporaryDirectory(prefix="rules-") as tmp:
        write_files(Path(tmp), files)
        return load_rule_set(Path(tmp))


# ---------------------------------------------------------------- what changed between two sets


@dataclass(frozen=True)
class RuleChange:
    """One rule added, removed, or changed (``fields``: which of COMPARED differ)."""

    rule: str
    kind: str                      # "added" | "removed" | "changed"
    old: Rule | None
    new: Rule | None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class RulesDiff:
    """What changed from one rule set to another."""

    old: RuleSet
    new: RuleSet
    documents_added: tuple[str, ...]
    documents_removed: tuple[str, ...]
    texts_changed: tuple[str, ...]      # documents in both whose knowledge/ text changed
    other_files: tuple[str, ...]        # other files added, removed or changed (facts, places…)
    rules: dict[str, RuleChange]

    @property
    def same(self) -> bool:
        """Whether nothing changed at all."""
        return self.old.version == self.new.version


def _values(rule: Rule, text: bytes | None) -> dict[str, Any]:
    period = rule.period
    return {"title": rule.title, "amount": rule.amount, "period_start": period.start,
            "period_end": period.end, "claim_deadline": period.claim_deadline,
            "scope": rule.scope, "conditions": rule.conditions, "qualifying": rule.qualifying,
            "beneficiary": rule.beneficiary,
            "text": (rule.clause, rule.quote, rule.claim, rule.bring, rule.note, rule.amount_note,
                     rule.offices)}


def diff_rule_sets(old: RuleSet, new: RuleSet) -> RulesDiff:
    """Documents and rules added, removed or changed from ``old`` to ``new``."""
    before, after = old.by_id(), new.by_id()
    changes: dict[str, RuleChange] = {}
    for rule_id in sorted(set(before) | set(after)):
        was, now = before.get(rule_id), after.get(rule_id)
        if was is None:
            changes[rule_id] = RuleChange(rule_id, "added", None, now)
        elif now is None:
            changes[rule_id] = RuleChange(rule_id, "removed", was, None)
        else:
            a, b = _values(was, None), _values(now, None)
            differ = tuple(k for k in COMPARED if a[k] != b[k])
            if differ:
                changes[rule_id] = RuleChange(rule_id, "changed", was, now, differ)
    docs_old, docs_new = old.documents(), new.documents()
    both = docs_old & docs_new
    texts = tuple(sorted(d for d in both
                         if old.files.get(f"knowledge/{d}.md") != new.files.get(f"knowledge/{d}.md")))
    own = {f"knowledge/{d}.md" for d in docs_old | docs_new} | {f"rules/{d}.yaml" for d in docs_old | docs_new}
    other = tuple(sorted(p for p in set(old.files) | set(new.files)
                         if p not in own and old.files.get(p) != new.files.get(p)))
    return RulesDiff(old, new, tuple(sorted(docs_new - docs_old)), tuple(sorted(docs_old - docs_new)),
                     texts, other, changes)


def amount_label(spec: dict[str, Any] | None) -> str:
    """A rule's amount as a reader sees it (最多2000元一次性, 500元每月), or that there is none."""
    from bot.core.render import text

    return text("rules_diff.amount", amount=compute_amount(spec, {}) if spec else None)


DATES = ("period_start", "period_end", "claim_deadline")


def describe_change(change: RuleChange, skip: frozenset[str] = frozenset()) -> list[str]:
    """The changed fields of one rule (but ``skip``), each as a short Chinese phrase."""
    from bot.core.render import text

    assert change.old is not None and change.new is not None
    a, b = _values(change.old, None), _values(change.new, None)
    parts = []
    for name in change.fields:
        if name in skip:
            continue
        if name == "amount":
            parts.append(text("rules_diff.field.amount", old=amount_label(a[name]), new=amount_label(b[name])))
        elif name in ("period_start", "period_end", "claim_deadline", "title"):
            parts.append(text(f"rules_diff.field.{name}", old=a[name], new=b[name]))
        else:
            parts.append(text(f"rules_diff.field.{name}"))
    return parts


def _shared_dates(diff: RulesDiff) -> dict[str, frozenset[str]]:
    """Per document kept in both sets: the date fields every one of its rules changed alike
    (the document's own period moved), said once for the document instead of per rule."""
    found: dict[str, frozenset[str]] = {}
    before, after = diff.old.by_id(), diff.new.by_id()
    for doc in set(diff.old.documents()) & set(diff.new.documents()):
        ids = {r.id for r in diff.old.rules if r.document == doc}
        if ids != {r.id for r in diff.new.rules if r.document == doc} or len(ids) < 2:
            continue
        moved = set()
        for name in DATES:
            pairs = {(_values(before[i], None)[name], _values(after[i], None)[name]) for i in ids}
            if len(pairs) == 1 and len({*next(iter(pairs))}) == 2:
                moved.add(name)
        if moved:
            found[doc] = frozenset(moved)
    return found


def describe_diff(diff: RulesDiff) -> list[str]:
    """``rules diff`` in short Chinese lines."""
    from bot.core.render import text

    lines = [text("rules_diff.header", old=diff.old.version, new=diff.new.version)]
    if diff.same:
        return [*lines, text("rules_diff.same")]
    titles = {**diff.old.titles, **diff.new.titles}
    for doc in diff.documents_added:
        lines.append(text("rules_diff.doc_added", doc=doc, title=titles.get(doc, doc)))
    for doc in diff.documents_removed:
        lines.append(text("rules_diff.doc_removed", doc=doc, title=titles.get(doc, doc)))
    for doc in diff.texts_changed:
        lines.append(text("rules_diff.doc_text", doc=doc, title=titles.get(doc, doc)))
    shared = _shared_dates(diff)
    for doc, moved in sorted(shared.items()):
        old_rule = next(r for r in diff.old.rules if r.document == doc)
        new_rule = next(r for r in diff.new.rules if r.document == doc)
        change = RuleChange(old_rule.id, "changed", old_rule, new_rule, tuple(sorted(moved)))
        lines.append(text("rules_diff.doc_dates", doc=doc, title=titles.get(doc, doc),
                          changes="；".join(describe_change(change))))
    for change in diff.rules.values():
        rule = change.new or change.old
        assert rule is not None
        if change.kind == "changed":
            skip = shared.get(rule.document, frozenset())
            parts = describe_change(change, skip)
            if parts:
                lines.append(text("rules_diff.rule_changed", rule=rule.id, title=rule.title,
                                  changes="；".join(parts)))
        else:
            lines.append(text(f"rules_diff.rule_{change.kind}", rule=rule.id, title=rule.title,
                              amount=amount_label(rule.amount)))
    if diff.other_files:
        lines.append(text("rules_diff.other_files", files="、".join(diff.other_files)))
    if len(lines) == 1:
        lines.append(text("rules_diff.nothing_for_rules"))
    return lines
