"""Which reminders a claim mark silences: the subsidy was marked 已申请, 已到账 or 不想申请.

A worker's own reminder is stored under his id with the rule id; a coordinator's reminder for
an applicant under the coordinator's id with ``<rule>@applicant:<id>`` (``bot.staff.proxy``).
A reminder is settled when the mark is on the worker himself, on the applicant the reminder
names, or on the applicant record bound to the worker's account (``telegram_id``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, cast, exists, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from bot.staff.claims import STOPS_REMINDERS
from bot.staff.models import ApplicantRow, ClaimRow


def claim_settled(user_id: Any, rule: Any) -> ColumnElement[bool]:
    """SQL: a mark that stops reminders exists for this reminder's user and rule."""
    claim = ClaimRow.__table__.c  # type: ignore[attr-defined]
    bound = (select(col(ApplicantRow.id)).where(col(ApplicantRow.telegram_id) == user_id)
             .correlate_except(ApplicantRow))
    return exists().where(
        claim.status.in_(sorted(STOPS_REMINDERS)),
        or_(and_(claim.user_id == user_id, claim.rule == rule),
            and_(claim.applicant_id.is_not(None),
                 claim.rule + "@applicant:" + cast(claim.applicant_id, String) == rule),
            and_(claim.applicant_id.in_(bound.scalar_subquery()), claim.rule == rule)))
