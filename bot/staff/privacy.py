"""/delete: remove every row about a user from the staff tables."""
from __future__ import annotations

from sqlalchemy import delete, or_, update

from bot.staff.context import StaffContext
from bot.staff.models import ApplicantRow, AuditRow, InviteRow, RoleRow


def forget_user(ctx: StaffContext, user_id: int) -> dict[str, int]:
    """Delete the user's role, invites and audit lines; their applicants lose their coordinator.

    Applicant records describe other people, so they are kept for the county's staff (who
    see them in the ledger) with no coordinator; a coordinator deletes them one by one.
    Returns how many rows were touched per table.
    """
    with ctx.transaction() as session:
        counts = {
            "roles": session.execute(delete(RoleRow).where(RoleRow.user_id == user_id)).rowcount,
            "invites": session.execute(delete(InviteRow).where(
                or_(InviteRow.used_by == user_id, InviteRow.created_by == user_id))).rowcount,
            "audit": session.execute(delete(AuditRow).where(
                or_(AuditRow.actor == user_id, AuditRow.target == f"user:{user_id}"))).rowcount,
            "applicants": session.execute(
                update(ApplicantRow).where(ApplicantRow.coordinator_id == user_id)
                .values(coordinator_id=None)).rowcount,
        }
    return counts
