"""Result: one rule's answer for one person on one day, and its contract JSON."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypedDict

from bot.core.conditions import ConditionOutcome


class Texts(TypedDict, total=False):
    """A result's sentences, rendered from templates (empty when the result has no ``explain``)."""

    reasons: list[str]
    how_to_claim: str
    amount_note: str | None
    note: str | None
    bring: list[str]


@dataclass
class Result:
    """One rule's answer for one person on one day (contract: cli-contract.md).

    The sentences (reasons, how_to_claim, amount_note, note, bring) are rendered on first use,
    so evaluating every rule stays fast when only a few results are shown.
    """

    id: str
    policy: str
    title: str
    beneficiary: str
    eligible: bool | None
    claimable: bool | None
    status: str
    claim_deadline: date | None
    amount: dict[str, Any] | None
    missing_facts: list[str]
    citation: dict[str, Any]
    conditions: list[ConditionOutcome] = field(default_factory=list)
    qualified_on: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    explain: Callable[[], Texts] | None = field(default=None, repr=False, compare=False)
    in_scope: bool = True

    @cached_property
    def _texts(self) -> Texts:
        return self.explain() if self.explain else {}

    @property
    def reasons(self) -> list[str]:
        """Why, in plain Chinese: conditions, nearest way to qualify, dates."""
        return self._texts.get("reasons", [])

    @property
    def how_to_claim(self) -> str:
        """Which office, and what to bring."""
        return self._texts.get("how_to_claim", "")

    @property
    def amount_note(self) -> str | None:
        """Where the document sets no figure: who sets it and whom to ask."""
        return self._texts.get("amount_note")

    @property
    def note(self) -> str | None:
        """Where the document is ambiguous or unusual."""
        return self._texts.get("note")

    @property
    def bring(self) -> list[str]:
        """Typical papers to bring."""
        return self._texts.get("bring", [])


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def result_to_json(result: Result) -> dict[str, Any]:
    """The contract's result object (plus amount_note, bring, note, conditions, period)."""
    return {
        "id": result.id, "policy": result.policy, "title": result.title,
        "beneficiary": result.beneficiary, "eligible": result.eligible,
        "claimable": result.claimable, "status": result.status,
        "claim_deadline": _iso(result.claim_deadline), "amount": result.amount,
        "missing_facts": list(result.missing_facts), "reasons": list(result.reasons),
        "citation": dict(result.citation), "how_to_claim": result.how_to_claim,
        "amount_note": result.amount_note, "bring": list(result.bring), "note": result.note,
        "period": {"start": _iso(result.period_start), "end": _iso(result.period_end)},
        "qualified_on": _iso(result.qualified_on),
        "conditions": [
            {"id": o.id, "status": o.status, "facts": o.facts, "reason": o.reason,
             "gap": o.gap, "crosses_on": _iso(o.crosses_on)}
            for o in result.conditions
        ],
    }
