"""Reminder plans from results: a threshold that time alone will meet, a claim deadline near."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.render import text
from bot.core.results_view import OPEN_STATUSES, amount_text, as_date, near_miss

if TYPE_CHECKING:
    from bot.core.result import Result

DEADLINE_OFFSETS = (30, 7)


def plan_reminders(results: list[Result], facts: dict[str, Any], as_of: date) -> list[dict[str, Any]]:
    """Reminders (``due``, ``kind``, ``rule_id``, ``text``) on future dates only, soonest first."""
    plans = [*_threshold_reminders(results, as_of), *_deadline_reminders(results, as_of)]
    return sorted(plans, key=lambda p: (p["due"], p["rule_id"], p["kind"]))


def _threshold_reminders(results: list[Result], as_of: date) -> list[dict[str, Any]]:
    """A near miss whose every gap closes by itself on a known day: remind on that day."""
    plans = []
    for result in results:
        if result.eligible is not False or result.status not in OPEN_STATUSES:
            continue
        gaps = near_miss(result)
        if not gaps or any(g["crosses_on"] is None for g in gaps):
            continue
        due = max(g["crosses_on"] for g in gaps)
        deadline = as_date(result.claim_deadline)
        if due > as_of and (deadline is None or due <= deadline):
            plans.append(_plan(due, "threshold", result,
                               text("reminder.threshold", title=result.title, amount=amount_text(result))))
    return plans


def _deadline_reminders(results: list[Result], as_of: date) -> list[dict[str, Any]]:
    """A claimable subsidy with a deadline: remind 30 and 7 days before (future dates only)."""
    plans = []
    for result in results:
        deadline = as_date(result.claim_deadline)
        if not result.claimable or deadline is None:
            continue
        for days in DEADLINE_OFFSETS:
            due = deadline - timedelta(days=days)
            if due > as_of:
                plans.append(_plan(due, f"deadline_{days}", result,
                                   text(f"reminder.deadline_{days}", title=result.title, deadline=deadline)))
    return plans


def _plan(due: date, kind: str, result: Result, message: str) -> dict[str, Any]:
    """One reminder as the adapter stores it."""
    return {"due": due.isoformat(), "kind": kind, "rule_id": result.id, "text": message}
