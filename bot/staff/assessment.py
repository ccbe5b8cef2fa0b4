"""What an applicant can claim now: the evaluator's results boiled down for lists and the ledger."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.core.errors import InputError
from bot.staff.context import StaffContext
from bot.staff.models import ApplicantRow

NEW, CLAIMABLE, INCOMPLETE, NOTHING, INVALID = "new", "claimable", "incomplete", "nothing", "invalid"


@dataclass(frozen=True)
class Claim:
    """One subsidy the applicant can claim now."""

    rule: str
    title: str
    amount: dict | None
    claim_deadline: date | None
    citation: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    """Claims, the nearest deadline still ahead, a status key and the facts still missing."""

    claims: tuple[Claim, ...]
    nearest_deadline: date | None
    status: str
    missing_facts: tuple[str, ...] = ()


def facts_of(state: dict, county: str) -> dict:
    """The answers in an interview state (``state["facts"]``), origin defaulting to ``county``."""
    facts = dict((state or {}).get("facts") or {})
    facts.setdefault("origin_county", county)
    return facts


def _claims(results: list[Any]) -> tuple[Claim, ...]:
    """The worker's own claimable results."""
    return tuple(
        Claim(r.id, r.title, r.amount, r.claim_deadline, dict(r.citation or {}))
        for r in results
        if getattr(r, "beneficiary", "worker") == "worker" and r.claimable is True)


def _missing(results: list[Any]) -> tuple[str, ...]:
    """Facts that would decide still-open worker results, without repeats."""
    names: dict[str, None] = {}
    for r in results:
        if getattr(r, "beneficiary", "worker") == "worker" and r.eligible is None:
            names.update(dict.fromkeys(r.missing_facts or ()))
    return tuple(names)


def assess(ctx: StaffContext, row: ApplicantRow, as_of: date) -> Assessment:
    """Run the evaluator on the applicant's answers as of ``as_of``."""
    if not (row.state or {}).get("facts"):
        return Assessment((), None, NEW)
    try:
        results = ctx.evaluate(facts_of(row.state, row.county), as_of)
    except InputError:
        return Assessment((), None, INVALID)
    claims = _claims(results)
    missing = _missing(results)
    ahead = [c.claim_deadline for c in claims if c.claim_deadline and c.claim_deadline >= as_of]
    status = CLAIMABLE if claims else INCOMPLETE if missing else NOTHING
    return Assessment(claims, min(ahead, default=None), status, missing)
