"""The real-name ledger (实名制台账) as an Excel file: one row per visible applicant."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.render import has_text, text
from bot.staff.access import visible_rows
from bot.staff.assessment import Claim, facts_of
from bot.staff.claims import mark_text, rule_title
from bot.staff.context import StaffContext
from bot.staff.overview import ApplicantSummary, log_export, summarise
from bot.staff.roles import ADMIN, COORDINATOR, STAFF, require
from bot.staff.services131 import progress_text

COLUMNS = ("id", "name", "phone", "village", "county", "work_place", "employment_start",
           "social_insurance_months", "claims", "amounts", "claim_marks", "deadline", "status",
           "services")
WIDTHS = {"name": 10, "phone": 14, "village": 14, "county": 18, "work_place": 22,
          "claims": 36, "amounts": 20, "claim_marks": 30, "deadline": 14, "status": 12,
          "services": 30}
SERVICE_COLUMNS = ("id", "name", "kind", "date", "note")
CLAIM_COLUMNS = ("id", "name", "subsidy", "status", "date", "amount", "reason")
CLAIM_WIDTHS = (8, 10, 30, 10, 14, 12, 30)
DATE_FORMAT = "yyyy-mm-dd"
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class LedgerFile:
    """What the adapter sends as a document."""

    filename: str
    content: bytes
    rows: int = 0  # how many applicants it lists (none: the adapter says so instead of sending it)


def headers() -> list[str]:
    """The Chinese column headers, in order."""
    return [text(f"staff.ledger.col.{column}") for column in COLUMNS]


def amount_text(claim: Claim) -> str:
    """``一次性3000元``, ``每月500元``, ``一次性最多2000元``; a short note where no figure."""
    amount = claim.amount or {}
    if amount.get("yuan") is None:
        return text("staff.ledger.amount_local")
    per = amount.get("per")
    per_label = text(f"staff.per.{per}") if per and has_text(f"staff.per.{per}") else ""
    return text("staff.ledger.amount", yuan=amount["yuan"], per=per_label,
                up_to=bool(amount.get("up_to")))


def _date(value: Any) -> date | None:
    """A date from a fact value (date or ISO text); anything else is left out."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _work_place(facts: dict) -> str:
    """``浙江省绍兴市柯桥区`` from the work_* facts (a repeated name once: 北京市)."""
    parts = [facts.get(key) for key in ("work_province", "work_city", "work_county")]
    return "".join(dict.fromkeys(str(p) for p in parts if p))


def ledger_row(summary: ApplicantSummary) -> list[Any]:
    """One applicant as ledger cells, in COLUMNS order."""
    person, found = summary.applicant, summary.assessment
    facts = facts_of(person.state, person.county)
    separator = "\n"
    return [person.id, person.name, person.phone or "", person.village,
            summary.home_county or person.county,
            _work_place(facts), _date(facts.get("employment_start")),
            facts.get("social_insurance_months"),
            separator.join(c.title for c in found.claims),
            separator.join(amount_text(c) for c in found.claims),
            separator.join(mark_text(summary.marks.get(c.rule)) for c in found.claims),
            found.nearest_deadline, text(f"staff.status.{found.status}"),
            progress_text(list(summary.services))]


def _put(sheet, row: int, column: int, value: Any) -> None:
    """Write one cell: formula-like text stays text, dates get a date format, text wraps."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"          # text that looks like a formula stays text
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _fill(sheet, headers: list[str], widths: list[int], rows: list[list[Any]]) -> None:
    """A bold, frozen header row, then the rows."""
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
    sheet.freeze_panes = "A2"


def service_rows(summaries: list[ApplicantSummary]) -> list[list[Any]]:
    """One row per delivered 131 service: applicant id and name, kind, date, note."""
    return [[s.applicant.id, s.applicant.name, text(f"staff.service.{service.kind}"),
             service.delivered_on, service.note]
            for s in summaries for service in s.delivered]


def claim_rows(summaries: list[ApplicantSummary]) -> list[list[Any]]:
    """One row per marked subsidy: applicant id and name, subsidy, status, date, yuan received,
    reason (marks on subsidies no longer claimable too: what was applied for stays on record)."""
    titles = {c.rule: c.title for s in summaries for c in s.assessment.claims}
    return [[s.applicant.id, s.applicant.name, titles.get(rule) or rule_title(rule),
             mark.label, mark.on, None if mark.amount is None else float(mark.amount),
             mark.reason or None]
            for s in summaries for rule, mark in sorted(s.marks.items())]


def workbook_bytes(summaries: list[ApplicantSummary]) -> bytes:
    """The ledger workbook: the ledger sheet, the 131 service records, the claim marks."""
    book = Workbook()
    ledger = book.active
    if not isinstance(ledger, Worksheet):  # a new workbook always starts with one worksheet
        raise TypeError("a new workbook has no active worksheet")
    ledger.title = text("staff.ledger.sheet")
    _fill(ledger, headers(), [WIDTHS.get(c, 10) for c in COLUMNS],
          [ledger_row(s) for s in summaries])
    services = book.create_sheet(text("staff.ledger.services_sheet"))
    _fill(services, [text(f"staff.ledger.services.{c}") for c in SERVICE_COLUMNS],
          [8, 10, 10, 14, 40], service_rows(summaries))
    claims = book.create_sheet(text("staff.ledger.claims_sheet"))
    _fill(claims, [text(f"staff.ledger.claims.{c}") for c in CLAIM_COLUMNS], list(CLAIM_WIDTHS),
          claim_rows(summaries))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_ledger(ctx: StaffContext, actor_id: int, as_of: date) -> LedgerFile:
    """The ledger of the applicants the actor may see (own, counties/cities, or all)."""
    with ctx.transaction() as session:
        grant = require(session, ctx, actor_id, COORDINATOR, STAFF, ADMIN, action="ledger.export")
        summaries = summarise(ctx, session, visible_rows(session, grant), as_of)
        log_export(session, ctx, actor_id, len(summaries))
    return LedgerFile(text("staff.ledger.filename", date=as_of), workbook_bytes(summaries),
                      len(summaries))
