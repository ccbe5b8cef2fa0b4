"""/delete: remove every row about a user from the staff tables."""
from __future__ import annotations

from sqlalchemy import delete, or_, update

from bot.staff.context import StaffContext
from bot.staff.models import ApplicantRow, AuditRow, InviteRow, LinkRow, RoleRow, ServiceRow


def forget_user(ctx: StaffContext, user_id: int) -> dict[str, int]:
    """Delete the user's role, invites and audit lines, and blank their id everywhere else.

    Applicant records describe other people, so they are kept for the county's staff (who
    see them in the ledger) with no coordinator; the services they recorded are kept with
    no recorder; roles they granted keep no granter; a record bound to their Telegram account
    (through a link) is unbound, and links they made or used are deleted. Returns rows touched.
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
            "services": session.execute(
                update(ServiceRow).where(ServiceRow.recorded_by == user_id)
                .values(recorded_by=None)).rowcount,
            "links": session.execute(delete(LinkRow).where(
                or_(LinkRow.used_by == user_id, LinkRow.created_by == user_id))).rowcount,
            "bound": session.execute(
                update(ApplicantRow).where(ApplicantRow.telegram_id == user_id)
                .values(telegram_id=None)).rowcount,
            "granted": session.execute(
                update(RoleRow).where(RoleRow.granted_by == user_id)
                .values(granted_by=None)).rowcount,
        }
    return counts
