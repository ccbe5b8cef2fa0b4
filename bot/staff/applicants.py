"""Coordinators' applicants: registered workers whose interview runs on their behalf."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.access import owned, readable, scope_of, supervised
from bot.staff.audit import record
from bot.staff.context import StaffContext, as_utc
from bot.staff.models import (
    ApplicantRow,
    ClaimHistoryRow,
    ClaimRow,
    LinkRow,
    ServiceRow,
    stored_id,
)
from bot.staff.roles import COORDINATOR, Grant, PermissionDenied, grant_of, require

PHONE = re.compile(r"^1\d{10}$")
MAX_NAME = 50
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
NAME_MARKS = "·・• "  # minority names (阿依古丽·买买提) and Latin names keep these between letters
# A name never asks anything: these words and marks show a question typed where a name was asked.
QUESTION_CUES = ("?", "？", "吗", "呢", "什么", "怎么", "怎样", "多少", "为什么", "如何", "哪",
                 "能不能", "可不可以", "是不是", "有没有", "请问", "补贴")
NO_PHONE = ("不填", "没有", "无", "不知道", "跳过")


@dataclass(frozen=True)
class Applicant:
    """An applicant record as callers see it."""

    id: int
    coordinator_id: int | None
    name: str
    phone: str | None
    village: str
    county: str
    city: str
    province: str
    state: dict = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    telegram_id: int | None = None   # the worker's own account, once bound through a link


def to_applicant(row: ApplicantRow) -> Applicant:
    """The public view of a row."""
    return Applicant(stored_id(row.id), row.coordinator_id, row.name, row.phone, row.village, row.county,
                     row.city, row.province, dict(row.state or {}),
                     as_utc(row.created_at), as_utc(row.updated_at), row.telegram_id)


def plain(value: str) -> str:
    """Text without control or formatting characters, whitespace runs made one space."""
    kept = "".join(ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else " "
                   for ch in value)
    return " ".join(kept.split())


def clean_name(name: str) -> str:
    """The applicant's name, trimmed; empty or overlong names are refused."""
    name = plain(name)
    if not name or len(name) > MAX_NAME:
        raise InputError(text("staff.applicant.bad_name"), "name must be 1-50 characters")
    return name


def clean_phone(phone: str | None) -> str | None:
    """An 11-digit mainland mobile number, a landline (0833-4512345), or None; else refused."""
    if phone is None or not phone.strip():
        return None
    digits = re.sub(r"[\s\-]", "", phone.strip()).removeprefix("+86")
    if LANDLINE.match(re.sub(r"\s", "", phone)):
        return re.sub(r"\s", "", phone)
    if not PHONE.match(digits):
        raise InputError(text("staff.applicant.bad_phone"), f"bad phone number {phone!r}")
    return digits


def typed_name(answer: str) -> str:
    """A name typed in the chat: 2-20 letters (CJK or Latin), no question; else refused."""
    name = plain(answer)
    letters_only = all(ch.isalpha() or ch in NAME_MARKS for ch in name)
    if not (2 <= len(name) <= 20 and letters_only) or any(cue in name for cue in QUESTION_CUES):
        raise InputError(text("staff.applicant.not_a_name"), f"not a name: {answer!r}")
    return name


def typed_phone(answer: str) -> str | None:
    """A phone typed in the chat: an 11-digit mobile, a landline (0833-4512345) or "不填" (None)."""
    raw = re.sub(r"\s", "", plain(answer)).removeprefix("+86")
    if raw in NO_PHONE:
        return None
    if MOBILE.match(raw.replace("-", "")):
        return raw.replace("-", "")
    if LANDLINE.match(raw):
        return raw
    raise InputError(text("staff.applicant.not_a_phone"), f"not a phone number: {answer!r}")


def _coordinator_place(ctx: StaffContext, grant: Grant, village: str | None,
                       county: str | None):
    """The coordinator's own county/village; naming another one is refused."""
    place = ctx.resolve_county(county or grant.county or "")
    village = plain(village or grant.village or "")
    if place.name != grant.county or village != grant.village:
        raise PermissionDenied("applicant.register")
    return place, village


def register_applicant(ctx: StaffContext, coordinator_id: int, name: str, *,
                       phone: str | None = None, village: str | None = None,
                       county: str | None = None, ref: str | None = None) -> Applicant:
    """Coordinator only: register a worker of their own village (county defaults to theirs).

    ``ref`` names the input that asked for it (a chat update): the same input replayed after a
    crash finds the applicant it registered instead of registering a second one.
    """
    with ctx.transaction() as session:
        grant = require(session, ctx, coordinator_id, COORDINATOR, action="applicant.register")
        if ref:
            done = session.exec(select(ApplicantRow).where(col(ApplicantRow.created_ref) == ref)).first()
            if done is not None and done.coordinator_id == coordinator_id:
                return to_applicant(done)
        place, village = _coordinator_place(ctx, grant, village, county)
        now = ctx.now()
        row = ApplicantRow(coordinator_id=coordinator_id, name=clean_name(name),
                           phone=clean_phone(phone), village=village, county=place.name,
                           city=place.city, province=place.province,
                           state={}, created_at=now, updated_at=now, created_ref=ref or None)
        session.add(row)
        session.flush()
        record(session, ctx, coordinator_id, "applicant.register", f"applicant:{row.id}")
        return to_applicant(row)


def get_applicant(ctx: StaffContext, actor_id: int, applicant_id: int) -> Applicant:
    """One applicant, for its coordinator, staff of its county or city, or an admin."""
    with ctx.transaction() as session:
        return to_applicant(readable(session, ctx, actor_id, applicant_id, "applicant.read"))


def save_interview(ctx: StaffContext, coordinator_id: int, applicant_id: int,
                   state: dict) -> Applicant:
    """Coordinator only: store the interview state (answers) run on the applicant's behalf."""
    with ctx.transaction() as session:
        row = owned(session, ctx, coordinator_id, applicant_id, "applicant.interview")
        row.state, row.updated_at = dict(state), ctx.now()
        session.add(row)
        record(session, ctx, coordinator_id, "applicant.interview", f"applicant:{row.id}")
        return to_applicant(row)


def update_contact(ctx: StaffContext, coordinator_id: int, applicant_id: int, *,
                   name: str | None = None, phone: str | None = None) -> Applicant:
    """Coordinator only: correct the name or phone (an empty phone removes it)."""
    with ctx.transaction() as session:
        row = owned(session, ctx, coordinator_id, applicant_id, "applicant.update")
        if name is not None:
            row.name = clean_name(name)
        if phone is not None:
            row.phone = clean_phone(phone)
        row.updated_at = ctx.now()
        session.add(row)
        record(session, ctx, coordinator_id, "applicant.update", f"applicant:{row.id}")
        return to_applicant(row)


def delete_applicant(ctx: StaffContext, coordinator_id: int, applicant_id: int) -> None:
    """Coordinator only: delete the record and its services; the ledger forgets it."""
    with ctx.transaction() as session:
        row = owned(session, ctx, coordinator_id, applicant_id, "applicant.delete")
        remove_applicant_rows(session, stored_id(row.id))
        record(session, ctx, coordinator_id, "applicant.delete", f"applicant:{applicant_id}")


def remove_applicant_rows(session: Session, applicant_id: int) -> None:
    """Delete an applicant and everything hanging off it (no rights check: callers do it)."""
    for service in session.exec(select(ServiceRow).where(ServiceRow.applicant_id == applicant_id)):
        session.delete(service)
    for link in session.exec(select(LinkRow).where(LinkRow.applicant_id == applicant_id)):
        session.delete(link)
    for model in (ClaimRow, ClaimHistoryRow):  # the claims marked for them, with their history
        for claim in session.exec(select(model).where(model.applicant_id == applicant_id)):
            session.delete(claim)
    from bot.storage import assessments

    assessments.forget(session, assessments.applicant_subject(applicant_id))
    session.flush()
    row = session.get(ApplicantRow, applicant_id)
    if row is not None:
        session.delete(row)


def assign_applicant(ctx: StaffContext, actor_id: int, applicant_id: int,
                     coordinator_id: int) -> Applicant:
    """Staff of the place or an admin: hand a record (e.g. orphaned) to a coordinator of its village."""
    with ctx.transaction() as session:
        row = supervised(session, ctx, actor_id, applicant_id, "applicant.assign")
        target = grant_of(session, ctx, coordinator_id)
        if target.role != COORDINATOR or not target.covers(scope_of(row)):
            raise InputError(text("staff.applicant.bad_coordinator"),
                             f"user {coordinator_id} is not a coordinator of {row.village}")
        row.coordinator_id, row.updated_at = coordinator_id, ctx.now()
        session.add(row)
        record(session, ctx, actor_id, "applicant.assign", f"user:{coordinator_id}",
               {"applicant": row.id})
        return to_applicant(row)


def applicant_names(ctx: StaffContext, coordinator_id: int) -> set[str]:
    """Coordinator only: the names of his applicants (to register a sheet's people once)."""
    from bot.staff.access import visible_rows

    with ctx.transaction() as session:
        grant = require(session, ctx, coordinator_id, COORDINATOR, action="applicant.list")
        return {row.name for row in visible_rows(session, grant)}


def own_applicants(ctx: StaffContext, coordinator_id: int) -> list[Applicant]:
    """Coordinator only: his applicants, in the order they were registered."""
    from bot.staff.access import visible_rows

    with ctx.transaction() as session:
        grant = require(session, ctx, coordinator_id, COORDINATOR, action="applicant.list")
        return [to_applicant(row) for row in sorted(visible_rows(session, grant),
                                                    key=lambda row: row.id or 0)]
