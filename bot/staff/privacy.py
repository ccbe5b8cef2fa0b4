"""/delete: remove every row about a user from the staff tables."""
from __future__ import annotations

from sqlalchemy import delete, or_, update
from sqlalchemy.sql.dml import UpdateBase
from sqlmodel import col

from bot.staff.context import StaffContext
from bot.staff.models import (
    ApplicantRow,
    AuditRow,
    ClaimHistoryRow,
    ClaimRow,
    InviteRow,
    LinkRow,
    RoleRow,
    ServiceRow,
)


def forget_user(ctx: StaffContext, user_id: int) -> dict[str, int]:
    """Delete the user's role, invites and audit lines, and blank their id everywhere else.

    Applicant records describe other people, so they are kept for the county's staff (who
    see them in the ledger) with no coordinator; the services they recorded are kept with
    no recorder; roles they granted keep no granter; a record bound to their Telegram account
    (through a link) is unbound, and links they made or used are deleted. Their own claim marks
    and the history of them are blanked, then deleted; marks they made for applicants are kept
    with no marker. Returns rows touched.
    """
    statements: dict[str, UpdateBase] = {
        "claims_blanked": update(ClaimRow).where(col(ClaimRow.user_id) == user_id)
        .values(reason="", amount_fen=None, on_date=None),
        "claims": delete(ClaimRow).where(col(ClaimRow.user_id) == user_id),
        "claim_history_blanked": update(ClaimHistoryRow).where(col(ClaimHistoryRow.user_id) == user_id)
        .values(reason="", amount_fen=None, on_date=None),
        "claim_history": delete(ClaimHistoryRow).where(col(ClaimHistoryRow.user_id) == user_id),
        "claims_marked": update(ClaimRow).where(col(ClaimRow.marked_by) == user_id)
        .values(marked_by=None),
        "claim_history_marked": update(ClaimHistoryRow)
        .where(col(ClaimHistoryRow.marked_by) == user_id).values(marked_by=None),
        "roles": delete(RoleRow).where(col(RoleRow.user_id) == user_id),
        "invites": delete(InviteRow).where(
            or_(col(InviteRow.used_by) == user_id, col(InviteRow.created_by) == user_id)),
        "audit": delete(AuditRow).where(
            or_(col(AuditRow.actor) == user_id, col(AuditRow.target) == f"user:{user_id}")),
        "applicants": update(ApplicantRow).where(col(ApplicantRow.coordinator_id) == user_id)
        .values(coordinator_id=None),
        "services": update(ServiceRow).where(col(ServiceRow.recorded_by) == user_id)
        .values(recorded_by=None),
        "links": delete(LinkRow).where(
            or_(col(LinkRow.used_by) == user_id, col(LinkRow.created_by) == user_id)),
        "bound": update(ApplicantRow).where(col(ApplicantRow.telegram_id) == user_id)
        .values(telegram_id=None),
        "granted": update(RoleRow).where(col(RoleRow.granted_by) == user_id)
        .values(granted_by=None),
    }
    with ctx.transaction() as session:
        counts = {name: session.exec(statement).rowcount for name, statement in statements.items()}
    return counts
