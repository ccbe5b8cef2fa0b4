"""Admins' view of open invites: list them, withdraw one whose link leaked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from bot.staff.audit import record
from bot.staff.context import StaffContext, as_utc
from bot.staff.invites import refuse, token_hash
from bot.staff.models import InviteRow
from bot.staff.roles import ADMIN, require


@dataclass(frozen=True)
class PendingInvite:
    """An unused invite as an admin sees it (the token itself is never stored)."""

    ref: str
    role: str
    expires_at: datetime
    county: str | None
    village: str | None
    counties: tuple[str, ...]
    cities: tuple[str, ...]


def invite_ref(token: str) -> str:
    """The short reference of a token, as the audit log and pending list show it."""
    return token_hash(token)[:12]


def pending_invites(ctx: StaffContext, admin_id: int) -> list[PendingInvite]:
    """Admin only: invites not used and not expired, soonest expiry first."""
    with ctx.transaction() as session:
        require(session, ctx, admin_id, ADMIN, action="invite.list")
        rows = session.exec(select(InviteRow).where(col(InviteRow.used_by).is_(None))).all()
        now = ctx.now()
        return sorted((PendingInvite(r.token_hash[:12], r.role, as_utc(r.expires_at), r.county,
                                     r.village, tuple(r.counties), tuple(r.cities))
                       for r in rows if as_utc(r.expires_at) > now), key=lambda p: p.expires_at)


def cancel_invite(ctx: StaffContext, admin_id: int, ref: str) -> None:
    """Admin only: withdraw an unused invite by its reference (a leaked link stops working)."""
    with ctx.transaction() as session:
        require(session, ctx, admin_id, ADMIN, action="invite.cancel")
        rows = session.exec(select(InviteRow).where(col(InviteRow.used_by).is_(None))).all()
        matches = [r for r in rows if ref and r.token_hash.startswith(ref)]
        if len(matches) != 1:
            raise refuse("staff.invite.unknown", f"no unused invite {ref!r}")
        session.delete(matches[0])
        record(session, ctx, admin_id, "invite.cancel", f"invite:{matches[0].token_hash[:12]}")
