"""The audit log: every privileged action, who did it, when, to what (ids only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.staff.context import StaffContext, as_utc
from bot.staff.models import AuditRow


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    actor: int
    action: str
    target: str
    detail: dict


def record(session: Session, ctx: StaffContext, actor: int, action: str, target: str = "",
           detail: dict | None = None) -> None:
    """Write one audit line in the caller's transaction (so it commits with the change)."""
    session.add(AuditRow(at=ctx.now(), actor=actor, action=action, target=target,
                         detail=dict(detail or {})))


def audit_log(ctx: StaffContext, admin_id: int, limit: int = 50) -> list[AuditEntry]:
    """Admin only: the latest ``limit`` audit lines, newest first."""
    from bot.staff.roles import ADMIN, require

    with ctx.transaction() as session:
        require(session, ctx, admin_id, ADMIN, action="audit.read")
        rows = session.exec(select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit)).all()
        return [AuditEntry(as_utc(r.at), r.actor, r.action, r.target, dict(r.detail or {}))
                for r in rows]
