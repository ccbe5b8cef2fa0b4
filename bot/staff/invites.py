"""One-time, expiring invites that make a user a coordinator or staff member."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.applicants import plain
from bot.staff.areas import resolve_areas, resolve_one_county
from bot.staff.audit import record
from bot.staff.context import StaffContext, as_utc
from bot.staff.models import InviteRow, RoleRow
from bot.staff.roles import ADMIN, COORDINATOR, GRANTABLE, Grant, bind_role, require

TOKEN_PREFIX = "inv_"
TOKEN_PATTERN = re.compile(r"^inv_[A-Za-z0-9_-]{32}$")
DEFAULT_VALIDITY = timedelta(days=7)
MAX_VALIDITY = timedelta(days=30)


@dataclass(frozen=True)
class Invite:
    """A freshly made invite; ``token`` is shown once and never stored in clear."""

    token: str
    role: str
    expires_at: datetime
    county: str | None = None
    village: str | None = None
    counties: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_role_invite(payload: str | None) -> bool:
    """Whether a /start payload looks like a role invite."""
    return bool(payload and TOKEN_PATTERN.match(payload))


def is_invite_token(payload: str | None) -> bool:
    """Whether a /start payload is one the staff package redeems: a role invite or an applicant link."""
    from bot.staff.links import is_link_token

    return is_role_invite(payload) or is_link_token(payload)


def invite_link(bot_username: str, token: str) -> str:
    """The deep link an admin forwards: ``https://t.me/<bot>?start=<token>``."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


def refuse(key: str, en: str) -> InputError:
    """A refusal worded by ``templates/zh/staff.yaml``."""
    return InputError(text(key), en)


def _staff_places(ctx: StaffContext, counties, cities) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Staff scope as full names: each a county, city or province of the gazetteer (areas.py)."""
    area = resolve_areas(ctx, (*counties, *cities))
    if not area.counties and not area.cities:
        raise refuse("staff.invite.need_scope", "staff invite needs counties or cities")
    return area.counties, area.cities


def _invite_row(ctx: StaffContext, admin_id: int, role: str, county, village, counties,
                cities, valid_for: timedelta) -> InviteRow:
    """A checked, not yet stored invite row (no token yet)."""
    if role not in GRANTABLE:
        raise refuse("staff.invite.bad_role", f"role must be one of {GRANTABLE}")
    if not timedelta(0) < valid_for <= MAX_VALIDITY:
        raise refuse("staff.invite.bad_validity", "validity must be between 0 and 30 days")
    row = InviteRow(token_hash="", role=role, created_by=admin_id, created_at=ctx.now(),
                    expires_at=ctx.now() + valid_for)
    if role == COORDINATOR:
        if not (county and county.strip() and village and plain(village)):
            raise refuse("staff.invite.need_village", "coordinator invite needs county and village")
        row.county, row.village = resolve_one_county(ctx, county), plain(village)
    else:
        row.counties, row.cities = (list(p) for p in _staff_places(ctx, counties, cities))
    return row


def create_invite(ctx: StaffContext, admin_id: int, role: str, *, county: str | None = None,
                  village: str | None = None, counties: tuple[str, ...] = (),
                  cities: tuple[str, ...] = (), valid_for: timedelta = DEFAULT_VALIDITY) -> Invite:
    """Admin only: a one-time invite for a coordinator (county + village) or staff (places)."""
    with ctx.transaction() as session:
        require(session, ctx, admin_id, ADMIN, action="invite.create")
        row = _invite_row(ctx, admin_id, role, county, village, counties, cities, valid_for)
        token = TOKEN_PREFIX + secrets.token_urlsafe(24)
        row.token_hash = token_hash(token)
        session.add(row)
        record(session, ctx, admin_id, "invite.create", f"invite:{row.token_hash[:12]}",
               {"role": role, "county": row.county, "village": row.village,
                "counties": row.counties, "cities": row.cities})
        return Invite(token, role, row.expires_at, row.county, row.village,
                      tuple(row.counties), tuple(row.cities))


def _claim(session: Session, ctx: StaffContext, row: InviteRow, user_id: int) -> None:
    """Mark the invite used, refusing if someone else got there first."""
    claimed = session.exec(
        update(InviteRow)
        .where(col(InviteRow.token_hash) == row.token_hash, col(InviteRow.used_by).is_(None))
        .values(used_by=user_id, used_at=ctx.now()))
    if claimed.rowcount != 1:
        raise refuse("staff.invite.used", "invite already used")


def redeem_invite(ctx: StaffContext, user_id: int, token: str) -> Grant:
    """Bind the invited role to ``user_id``; unknown, used or expired tokens are refused."""
    with ctx.transaction() as session:
        row = session.get(InviteRow, token_hash(token.strip())) if is_role_invite(token.strip()) else None
        if row is None:
            raise refuse("staff.invite.unknown", "unknown invite")
        if row.used_by is not None:
            raise refuse("staff.invite.used", "invite already used")
        if ctx.now() >= as_utc(row.expires_at):
            raise refuse("staff.invite.expired", "invite expired")
        _claim(session, ctx, row, user_id)
        role = RoleRow(user_id=user_id, role=row.role, county=row.county, village=row.village,
                       counties=list(row.counties), cities=list(row.cities),
                       granted_by=row.created_by, granted_at=ctx.now())
        grant = bind_role(session, ctx, user_id, role)
        record(session, ctx, user_id, "invite.redeem", f"invite:{row.token_hash[:12]}",
               {"role": row.role})
        return grant


def welcome_text(grant: Grant) -> str:
    """The reply after a successful redemption: the role and the places it covers."""
    places = text("staff.list_separator").join(grant.counties + grant.cities)
    return text("staff.invite.done", role=grant.role, county=grant.county or "",
                village=grant.village or "", places=places)

