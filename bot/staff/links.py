"""One-time links a coordinator gives an applicant to bind the worker's own Telegram account."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.access import owned
from bot.staff.applicants import Applicant, to_applicant
from bot.staff.audit import record
from bot.staff.context import StaffContext, as_utc
from bot.staff.invites import token_hash
from bot.staff.models import ApplicantRow, LinkRow, stored_id
from bot.staff.roles import WORKER, grant_of

LINK_PREFIX = "lnk_"
LINK_PATTERN = re.compile(r"^lnk_[A-Za-z0-9_-]{32}$")
LINK_VALIDITY = timedelta(days=7)


@dataclass(frozen=True)
class ApplicantLink:
    """A fresh link token for one applicant; shown once, stored only as a hash."""

    token: str
    applicant_id: int
    name: str
    expires_at: datetime


def is_link_token(payload: str | None) -> bool:
    """Whether a /start payload looks like an applicant link."""
    return bool(payload and LINK_PATTERN.match(payload))


def _refuse(key: str, en: str) -> InputError:
    """A refusal worded by ``templates/zh/staff.yaml``."""
    return InputError(text(key), en)


def create_link(ctx: StaffContext, coordinator_id: int, applicant_id: int,
                valid_for: timedelta = LINK_VALIDITY) -> ApplicantLink:
    """The applicant's own coordinator only: a one-time, expiring link for the worker."""
    with ctx.transaction() as session:
        row = owned(session, ctx, coordinator_id, applicant_id, "applicant.link")
        token = LINK_PREFIX + secrets.token_urlsafe(24)
        link = LinkRow(token_hash=token_hash(token), applicant_id=stored_id(row.id),
                       created_by=coordinator_id, created_at=ctx.now(),
                       expires_at=ctx.now() + valid_for)
        session.add(link)
        record(session, ctx, coordinator_id, "applicant.link", f"applicant:{row.id}",
               {"link": link.token_hash[:12]})
        return ApplicantLink(token, stored_id(row.id), row.name, link.expires_at)


def _usable(session: Session, ctx: StaffContext, token: str) -> LinkRow:
    """The unused, unexpired link row for ``token``; anything else is refused."""
    row = session.get(LinkRow, token_hash(token)) if is_link_token(token) else None
    if row is None:
        raise _refuse("staff.link.unknown", "unknown applicant link")
    if row.used_by is not None:
        raise _refuse("staff.link.used", "applicant link already used")
    if ctx.now() >= as_utc(row.expires_at):
        raise _refuse("staff.link.expired", "applicant link expired")
    return row


def redeem_link(ctx: StaffContext, user_id: int, token: str) -> Applicant:
    """Bind ``user_id`` to the link's applicant; a used, expired or unknown link is refused.

    A Telegram account is bound to at most one applicant: another binding is refused too, and so
    is any account with a role (coordinator, staff, admin): the link is for the worker.
    """
    with ctx.transaction() as session:
        link = _usable(session, ctx, token.strip())
        grant = grant_of(session, ctx, user_id)
        if grant.role != WORKER:  # e.g. the coordinator tapping the link he was to forward
            raise InputError(text("staff.link.not_for_staff", role=text(f"staff.role.{grant.role}")),
                             f"a {grant.role} may not bind an applicant link")
        bound = session.exec(select(ApplicantRow).where(ApplicantRow.telegram_id == user_id)).first()
        if bound is not None and bound.id != link.applicant_id:
            raise _refuse("staff.link.other", "account already bound to another applicant")
        claimed = session.exec(
            update(LinkRow).where(col(LinkRow.token_hash) == link.token_hash,
                                  col(LinkRow.used_by).is_(None))
            .values(used_by=user_id, used_at=ctx.now()))
        if claimed.rowcount != 1:
            raise _refuse("staff.link.used", "applicant link already used")
        row = session.get(ApplicantRow, link.applicant_id)
        if row is None:  # the foreign key keeps a link's applicant while the link exists
            raise LookupError(f"applicant {link.applicant_id} of a live link is gone")
        row.telegram_id = user_id
        session.add(row)
        record(session, ctx, user_id, "applicant.bind", f"applicant:{row.id}",
               {"link": link.token_hash[:12]})
        return to_applicant(row)


def set_fairs_opt_out(ctx: StaffContext, user_id: int, opt_out: bool) -> bool:
    """The linked worker's own /unsubscribe (True) or /subscribe (False) for job-fair messages.

    Returns whether ``user_id`` is a linked applicant whose choice changed. Fair recipients are
    linked applicants with ``fairs_opt_out`` false (the broadcast side filters on it).
    """
    with ctx.transaction() as session:
        row = session.exec(select(ApplicantRow).where(ApplicantRow.telegram_id == user_id)).first()
        if row is None or row.fairs_opt_out == opt_out:
            return False
        row.fairs_opt_out = opt_out
        session.add(row)
        record(session, ctx, user_id, "applicant.fairs_off" if opt_out else "applicant.fairs_on",
               f"applicant:{row.id}")
        return True
