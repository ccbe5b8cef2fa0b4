"""What changed for one person between their stored assessment and a new evaluation, and why.

``claims_of(results)`` is what an assessment keeps (claimable rule id -> amount);
``compare`` lists each subsidy gained, lost or whose amount changed, with the reason: a new
document or rule, the rule's own change (amount, dates, conditions), its period having ended,
or, with the rule unchanged, time and the person's own dates.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.ruleset import RulesDiff, RuleSet, amount_label, describe_change
from bot.core.validity import OPEN_STATUSES

GAINED, LOST, AMOUNT = "gained", "lost", "amount"
# reasons
NEW_DOCUMENT, NEW_RULE, RULE_CHANGED, REMOVED = "new_document", "new_rule", "rule_changed", "removed"
PERIOD_ENDED, TIME, UPDATED = "period_ended", "time", "updated"


@dataclass(frozen=True)
class Movement:
    """One subsidy gained, lost, or claimable still with another amount."""

    kind: str              # gained | lost | amount
    rule: str
    title: str
    reason: str            # one of the reasons above
    detail: str = ""       # the change in Chinese (e.g. 金额 3000元一次性 → 3500元一次性)
    amount: Any = None     # the amount now (gained, amount) or before (lost)
    old_amount: Any = None

    @property
    def told(self) -> bool:
        """Whether the person hears of it: only a subsidy gained is announced."""
        return self.kind == GAINED


def claims_of(results: Sequence[Any]) -> dict[str, Any]:
    """The worker's claimable rules with their amounts (what an assessment keeps)."""
    return {r.id: _plain(r.amount) for r in results
            if getattr(r, "beneficiary", "worker") == "worker" and r.claimable is True}


def _plain(value: Any) -> Any:
    """A value as stored in JSON (so stored and new amounts compare equal)."""
    return json.loads(json.dumps(value, default=str))


def compare(old_claims: Mapping[str, Any], old_version: str, results: Sequence[Any], new: RuleSet,
            diff: RulesDiff | None) -> list[Movement]:
    """Subsidies gained, lost, or with a changed amount, from the old claims to the new results.

    ``diff``: the rules diff from the old version to ``new`` (None when the old version's files
    are not kept, so no rule change can be named).
    """
    now = claims_of(results)
    by_id = {r.id: r for r in results}
    rules = new.by_id()
    moves = []
    for rule_id in sorted(set(now) | set(old_claims)):
        was, has = rule_id in old_claims, rule_id in now
        change = diff.rules.get(rule_id) if diff is not None else None
        if has and not was:
            rule = rules[rule_id]
            reason, detail = _why(change, diff, old_version, new)
            moves.append(Movement(GAINED, rule_id, rule.title, reason, detail, now[rule_id]))
        elif was and not has:
            kept = rules.get(rule_id)
            if kept is None:
                title = change.old.title if change is not None and change.old is not None else rule_id
                moves.append(Movement(LOST, rule_id, title, REMOVED, "", None, old_claims[rule_id]))
                continue
            result = by_id.get(rule_id)
            detail = "；".join(describe_change(change)) if change is not None and change.kind == "changed" else ""
            if result is not None and result.status not in OPEN_STATUSES:
                reason = PERIOD_ENDED
            else:
                reason = _why(change, diff, old_version, new)[0]
            moves.append(Movement(LOST, rule_id, kept.title, reason, detail, None, old_claims[rule_id]))
        elif has and _plain(old_claims[rule_id]) != now[rule_id]:
            reason, detail = _why(change, diff, old_version, new)
            moves.append(Movement(AMOUNT, rule_id, rules[rule_id].title, reason, detail,
                                  now[rule_id], old_claims[rule_id]))
    return moves


def _why(change: Any, diff: RulesDiff | None, old_version: str, new: RuleSet) -> tuple[str, str]:
    """The reason a rule's outcome moved, and the change in Chinese."""
    if diff is None:
        return (TIME, "") if old_version == new.version else (UPDATED, "")
    if change is None:
        return TIME, ""
    if change.kind == "added" and change.new is not None:
        doc = change.new.document
        if doc in diff.documents_added:
            return NEW_DOCUMENT, new.titles.get(doc, doc)
        return NEW_RULE, ""
    return RULE_CHANGED, "；".join(describe_change(change))


def movement_line(who: str, move: Movement) -> str:
    """One line of the reassess report."""
    from bot.core.render import text

    return text(f"reassess.line.{move.kind}", who=who, rule=move.rule, title=move.title,
                amount=amount_text(move.amount), old=amount_text(move.old_amount),
                reason=text(f"reassess.reason.{move.reason}", detail=move.detail))


def amount_text(amount: Any) -> str:
    """A result's amount object as a reader sees it (最多2000元), or that there is no figure."""
    from bot.core.render import text

    return text("rules_diff.amount", amount=amount)


__all__ = ["AMOUNT", "GAINED", "LOST", "Movement", "amount_label", "amount_text", "claims_of", "compare",
           "movement_line"]
