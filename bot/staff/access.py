"""Who may touch which applicant: the checks every applicant and ledger call makes."""
from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.context import StaffContext
from bot.staff.models import ApplicantRow
from bot.staff.roles import ADMIN, COORDINATOR, STAFF, Grant, PermissionDenied, Scope, require


def scope_of(row: ApplicantRow) -> Scope:
    """The places an applicant record belongs to."""
    return Scope(county=row.county, city=row.city, village=row.village)


def _load(session: Session, applicant_id: int) -> ApplicantRow:
    """The applicant row, or a clear refusal when there is none."""
    row = session.get(ApplicantRow, applicant_id)
    if row is None:
        raise InputError(text("staff.applicant.unknown"), f"no applicant {applicant_id}")
    return row


def owned(session: Session, ctx: StaffContext, coordinator_id: int, applicant_id: int,
          action: str) -> ApplicantRow:
    """The applicant row if ``coordinator_id`` is its coordinator (same village); else denied."""
    require(session, ctx, coordinator_id, COORDINATOR, action=action)
    row = _load(session, applicant_id)
    require(session, ctx, coordinator_id, COORDINATOR, scope=scope_of(row), action=action)
    if row.coordinator_id != coordinator_id:
        raise PermissionDenied(action)
    return row


def readable(session: Session, ctx: StaffContext, actor_id: int, applicant_id: int,
             action: str) -> ApplicantRow:
    """The applicant row if the actor is its coordinator, staff of its place, or an admin."""
    grant = require(session, ctx, actor_id, COORDINATOR, STAFF, ADMIN, action=action)
    row = _load(session, applicant_id)
    require(session, ctx, actor_id, grant.role, scope=scope_of(row), action=action)
    if grant.role == COORDINATOR and row.coordinator_id != actor_id:
        raise PermissionDenied(action)
    return row


def supervised(session: Session, ctx: StaffContext, actor_id: int, applicant_id: int,
               action: str) -> ApplicantRow:
    """The applicant row if the actor is staff of its county/city or an admin; else denied."""
    grant = require(session, ctx, actor_id, STAFF, ADMIN, action=action)
    row = _load(session, applicant_id)
    require(session, ctx, actor_id, grant.role, scope=scope_of(row), action=action)
    return row


def visible_rows(session: Session, grant: Grant) -> list[ApplicantRow]:
    """Applicants a grant may see (own, counties/cities, all), by county, village, id."""
    query = select(ApplicantRow)
    if grant.role == COORDINATOR:
        query = query.where(ApplicantRow.coordinator_id == grant.user_id,
                            ApplicantRow.county == grant.county,
                            ApplicantRow.village == grant.village)
    elif grant.role == STAFF:
        query = query.where(or_(col(ApplicantRow.county).in_(grant.counties or ("",)),
                                col(ApplicantRow.city).in_(grant.cities or ("",))))
    elif grant.role != ADMIN:
        return []
    rows = session.exec(query).all()
    return sorted(rows, key=lambda row: (row.county, row.village, row.id))
