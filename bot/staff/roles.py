"""Roles (worker, coordinator, staff, admin) and the check every privileged call makes."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.audit import record
from bot.staff.context import StaffContext
from bot.staff.models import RoleRow

log = logging.getLogger(__name__)

WORKER, COORDINATOR, STAFF, ADMIN = "worker", "coordinator", "staff", "admin"
GRANTABLE = (COORDINATOR, STAFF)


class PermissionDenied(InputError):
    """The user's role does not allow this call; nothing was changed."""

    def __init__(self, action: str = "") -> None:
        super().__init__(text("staff.denied"), f"permission denied: {action}".strip())


@dataclass(frozen=True)
class Scope:
    """The place a call touches: a county (full name), its city, and maybe a village."""

    county: str | None = None
    city: str | None = None
    village: str | None = None


@dataclass(frozen=True)
class Grant:
    """A user's effective role and the places it covers."""

    user_id: int
    role: str
    county: str | None = None
    village: str | None = None
    counties: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()

    def covers(self, scope: Scope | None) -> bool:
        """Whether this grant reaches ``scope`` (None: no place involved)."""
        if self.role == ADMIN or scope is None:
            return self.role != WORKER
        if self.role == STAFF:
            return scope.county in self.counties or (scope.city or None) in self.cities
        if self.role == COORDINATOR:
            same_village = scope.village is None or scope.village == self.village
            return scope.county == self.county and same_village
        return False


def _grant(row: RoleRow) -> Grant:
    """The grant a stored role row gives."""
    return Grant(row.user_id, row.role, row.county, row.village,
                 tuple(row.counties or ()), tuple(row.cities or ()))


def role_label(grant: Grant) -> str:
    """The role in plain words (协管员, 人社工作人员 …) for a /me reply."""
    return text(f"staff.role.{grant.role}")


def grant_of(session: Session, ctx: StaffContext, user_id: int) -> Grant:
    """The user's role: admin from settings, else the stored role, else worker."""
    if user_id in ctx.admin_ids:
        return Grant(user_id, ADMIN)
    row = session.get(RoleRow, user_id)
    return _grant(row) if row else Grant(user_id, WORKER)


def require(session: Session, ctx: StaffContext, user_id: int, *roles: str,
            scope: Scope | None = None, action: str = "") -> Grant:
    """The user's grant if it is one of ``roles`` and covers ``scope``; else PermissionDenied."""
    grant = grant_of(session, ctx, user_id)
    if grant.role not in roles or not grant.covers(scope):
        log.warning("denied %s to user %s (%s)", action or "/".join(roles), user_id, grant.role)
        raise PermissionDenied(action)
    return grant


def role_of(ctx: StaffContext, user_id: int) -> Grant:
    """Anyone may ask for their own role."""
    with ctx.transaction() as session:
        return grant_of(session, ctx, user_id)


def bind_role(session: Session, ctx: StaffContext, user_id: int, row: RoleRow) -> Grant:
    """Store ``row`` as the user's role, replacing any earlier one (callers check rights)."""
    existing = session.get(RoleRow, user_id)
    if existing is not None:
        session.delete(existing)
        session.flush()
    session.add(row)
    return _grant(row)


def revoke_role(ctx: StaffContext, admin_id: int, user_id: int) -> bool:
    """Admin only: take a user's coordinator/staff role away; False if they had none."""
    with ctx.transaction() as session:
        require(session, ctx, admin_id, ADMIN, action="role.revoke")
        row = session.get(RoleRow, user_id)
        if row is None:
            return False
        session.delete(row)
        record(session, ctx, admin_id, "role.revoke", f"user:{user_id}", {"role": row.role})
        return True


def list_roles(ctx: StaffContext, admin_id: int) -> list[Grant]:
    """Admin only: every stored coordinator and staff role."""
    with ctx.transaction() as session:
        require(session, ctx, admin_id, ADMIN, action="role.list")
        rows = session.exec(select(RoleRow).order_by(col(RoleRow.user_id))).all()
        return [_grant(row) for row in rows]
