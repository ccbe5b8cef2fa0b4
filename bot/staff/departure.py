"""A coordinator leaves (his /delete, or an admin revokes his role): his applicants go to the
village's other coordinator or stay for staff.

Never silently: the flow asks first (:func:`departure_of`), then :func:`settle_applicants`
moves them and writes the choice to the audit log before the user's own rows are erased (that
audit line names no deleted user: its actor is :data:`DEPARTED`, 0); an admin's
:func:`revoke_coordinator` moves them and revokes the role in one transaction, audited as his.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.audit import record
from bot.staff.context import StaffContext
from bot.staff.models import ApplicantRow, RoleRow
from bot.staff.roles import ADMIN, COORDINATOR, grant_of, require

DEPARTED = 0  # the audit actor of a choice made by a user who then erased their data
KEEP = "keep"  # the applicants stay, without a coordinator, readable by the county's staff


@dataclass(frozen=True)
class Departure:
    """How many applicants a leaving coordinator has, and who in his village could take them."""

    applicants: int
    successors: tuple[int, ...] = ()


def departure_of(ctx: StaffContext, user_id: int) -> Departure:
    """The user's applicants and the village's other coordinators (none: nothing to decide)."""
    with ctx.transaction() as session:
        grant = grant_of(session, ctx, user_id)
        if grant.role != COORDINATOR:
            return Departure(0)
        owned = session.exec(select(ApplicantRow.id).where(
            ApplicantRow.coordinator_id == user_id)).all()
        others = session.exec(select(RoleRow.user_id).where(
            RoleRow.role == COORDINATOR, RoleRow.county == grant.county,
            RoleRow.village == grant.village, RoleRow.user_id != user_id)).all()
        return Departure(len(owned), tuple(sorted(int(other) for other in others)))


def settle_applicants(ctx: StaffContext, user_id: int, successor: int | str) -> int:
    """Hand the user's applicants to ``successor`` (a coordinator id of the same village) or
    :data:`KEEP` them for staff; audit the choice; return how many moved."""
    with ctx.transaction() as session:
        return _move_applicants(session, ctx, DEPARTED, user_id, successor)


def revoke_coordinator(ctx: StaffContext, admin_id: int, user_id: int, successor: int | str) -> int:
    """Admin only: hand a coordinator's applicants to ``successor`` (or :data:`KEEP` them for
    staff), then take his role away; both audited in one transaction. Return how many moved."""
    with ctx.transaction() as session:
        require(session, ctx, admin_id, ADMIN, action="role.revoke")
        moved = _move_applicants(session, ctx, admin_id, user_id, successor)
        row = session.get(RoleRow, user_id)
        if row is not None:
            session.delete(row)
            record(session, ctx, admin_id, "role.revoke", f"user:{user_id}", {"role": row.role})
        return moved


def _move_applicants(session: Session, ctx: StaffContext, actor: int, user_id: int,
                     successor: int | str) -> int:
    """Move ``user_id``'s applicants to ``successor`` (same village) or none; audited by ``actor``."""
    grant = grant_of(session, ctx, user_id)
    target = None if successor == KEEP else int(successor)
    if target is not None:
        other = grant_of(session, ctx, target)
        if grant.role != COORDINATOR or other.role != COORDINATOR or target == user_id or (
                other.county, other.village) != (grant.county, grant.village):
            raise InputError(text("staff.applicant.bad_coordinator"),
                             f"user {target} cannot take over from {user_id}")
    ids = [int(i) for i in session.exec(select(ApplicantRow.id).where(
        ApplicantRow.coordinator_id == user_id)).all() if i is not None]
    session.exec(update(ApplicantRow).where(col(ApplicantRow.coordinator_id) == user_id)
                 .values(coordinator_id=target, updated_at=ctx.now()))
    action = "applicant.keep_for_staff" if target is None else "applicant.hand_over"
    record(session, ctx, actor, action, f"user:{target}" if target else "",
           {"applicants": ids, "village": f"{grant.county} {grant.village}"})
    return len(ids)
