"""The applicants a coordinator, staff member or admin may see, each with claims and 131 progress."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.access import readable, visible_rows
from bot.staff.applicants import Applicant, to_applicant
from bot.staff.assessment import Assessment, assess
from bot.staff.audit import record
from bot.staff.claims import ClaimMark, marks_for_applicants
from bot.staff.context import StaffContext
from bot.staff.models import ApplicantRow, stored_id
from bot.staff.roles import ADMIN, COORDINATOR, STAFF, require
from bot.staff.services131 import Progress, Service, progress, progress_text, services_for


@dataclass(frozen=True)
class ApplicantSummary:
    """One applicant with what they can claim and how far the 131 services got."""

    applicant: Applicant
    assessment: Assessment
    services: tuple[Progress, ...]
    delivered: tuple[Service, ...] = ()
    home_county: str = ""  # from the interview's answer when it has one, else the record's county
    marks: dict[str, ClaimMark] = field(default_factory=dict)  # rule id -> 已申请/已到账/… mark


def summarise(ctx: StaffContext, session: Session, rows: list[ApplicantRow],
              as_of: date) -> list[ApplicantSummary]:
    """Assess each row and count its services (no rights check: callers do it)."""
    ids = [stored_id(row.id) for row in rows]
    delivered, marks = services_for(session, ids), marks_for_applicants(session, ids)
    return [ApplicantSummary(to_applicant(row), assess(ctx, row, as_of),
                             tuple(progress([s.kind for s in delivered[stored_id(row.id)]])),
                             tuple(delivered[stored_id(row.id)]), home_county(ctx, row),
                             marks[stored_id(row.id)])
            for row in rows]


def home_county(ctx: StaffContext, row: ApplicantRow) -> str:
    """The home county the interview last recorded (a coordinator may correct it there).

    The record's own county is where the coordinator registered the person (it decides who may
    see the record) and stands until the interview answers something else.
    """
    answer = ((row.state or {}).get("facts") or {}).get("origin_county")
    if not answer or str(answer).split()[-1] == row.county:
        return row.county
    try:
        return ctx.resolve_county(str(answer)).name
    except InputError:
        return str(answer)


def list_applicants(ctx: StaffContext, actor_id: int, as_of: date) -> list[ApplicantSummary]:
    """Own applicants (coordinator), those of one's counties/cities (staff), or all (admin)."""
    with ctx.transaction() as session:
        grant = require(session, ctx, actor_id, COORDINATOR, STAFF, ADMIN, action="applicant.list")
        return summarise(ctx, session, visible_rows(session, grant), as_of)


def applicant_summary(ctx: StaffContext, actor_id: int, applicant_id: int,
                      as_of: date) -> ApplicantSummary:
    """One applicant's summary, for whoever may read the applicant."""
    with ctx.transaction() as session:
        row = readable(session, ctx, actor_id, applicant_id, "applicant.read")
        return summarise(ctx, session, [row], as_of)[0]


def summaries_text(summaries: list[ApplicantSummary]) -> str:
    """A short plain-text list for a chat reply (one block per applicant)."""
    if not summaries:
        return text("staff.list.empty")
    return "\n\n".join(_item_text(s) for s in summaries)


def _item_text(summary: ApplicantSummary) -> str:
    """One applicant's block: name, village, claims or status, deadline, 131 progress."""
    person, found = summary.applicant, summary.assessment
    return text("staff.list.item", id=person.id, name=person.name, village=person.village,
                claims=text("staff.list_separator").join(c.title for c in found.claims),
                status=text(f"staff.status.{found.status}"), deadline=found.nearest_deadline,
                services=progress_text(list(summary.services)))


def log_export(session: Session, ctx: StaffContext, actor_id: int, count: int) -> None:
    """Audit a ledger export (how many rows, no names)."""
    record(session, ctx, actor_id, "ledger.export", "", {"rows": count})
