"""Dates of a rule: policy period, claim deadline, status as of a day, month arithmetic."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

ACTIVE, CLAIM_WINDOW, EXPIRED, NOT_YET = "active", "claim_window", "expired", "not_yet"
OPEN_STATUSES = (ACTIVE, CLAIM_WINDOW)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def full_months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is before ``start``)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def parse_day(value: object) -> date | None:
    """A date from a ``date`` or an ISO string; None when absent."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class Period:
    """When a rule is in force and until when claims are honoured."""

    start: date | None
    end: date | None
    claim_deadline: date | None

    def status(self, as_of: date) -> str:
        """``not_yet``, ``active``, ``claim_window`` or ``expired`` as of a day."""
        if self.start and as_of < self.start:
            return NOT_YET
        if self.end is None or as_of <= self.end:
            return ACTIVE
        if self.claim_deadline and as_of <= self.claim_deadline:
            return CLAIM_WINDOW
        return EXPIRED

    def last_claim_day(self) -> date | None:
        """The last day a claim is accepted (the claim deadline, else the period end)."""
        return self.claim_deadline or self.end

    def contains(self, day: date) -> bool:
        """Whether a day falls inside the policy period."""
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)
