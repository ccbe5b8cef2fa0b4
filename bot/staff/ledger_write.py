"""Writing the check into the workbook: added columns on the evaluated sheet, and a notes sheet."""
from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.facts import catalogue
from bot.core.ledger_headers import NOT_READ, Column, HeaderMap
from bot.core.ledger_rows import RowOutcome, missing_labels
from bot.core.render import has_text, text

if TYPE_CHECKING:
    from bot.staff.ledger_sheet import LedgerReport

ADDED = ("claims", "amounts", "deadlines", "basis", "missing", "problems")
WIDTHS = {"claims": 30, "amounts": 30, "deadlines": 14, "basis": 30, "missing": 24, "problems": 40}
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)


def write_outcomes(sheet: Worksheet, at: int, header: HeaderMap, outcomes: tuple[RowOutcome, ...]) -> None:
    """The added columns: to the right of everything, or over an earlier run's own columns."""
    places = _added_columns(sheet, header)
    for key, column in places.items():
        cell = sheet.cell(row=at, column=column, value=text(f"ledger.col.{key}"))
        cell.font, cell.alignment = BOLD, WRAP
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[key]
    for row, outcome in enumerate(outcomes, start=at + 1):
        for key, value in _cells(outcome).items():
            if value is not None:   # a cell echoed in a problem may hold control characters
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = sheet.cell(row=row, column=places[key], value=value)
            if value is not None:
                cell.data_type, cell.alignment = "s", WRAP    # text, even when it starts with "="


def _added_columns(sheet: Worksheet, header: HeaderMap) -> dict[str, int]:
    """1-based column of each added field (an earlier run's columns are reused by title)."""
    titles = {text(f"ledger.col.{key}"): key for key in ADDED}
    places = {titles[c.title]: c.index + 1 for c in header.checked_columns() if c.title in titles}
    first = sheet.max_column + 1
    for key in ADDED:
        if key not in places:
            places[key], first = first, first + 1
    return places


def _cells(outcome: RowOutcome) -> dict[str, str | None]:
    """The added cells of one row; all empty for a blank row."""
    if outcome.blank:
        return dict.fromkeys(ADDED)
    claims = outcome.claims
    none = text("ledger.no_deadline")
    return {
        "claims": "\n".join(c.title for c in claims) or text("ledger.none"),
        "amounts": "\n".join(c.amount for c in claims) or None,
        "deadlines": "\n".join(c.deadline.isoformat() if c.deadline else none for c in claims) or None,
        "basis": "\n".join(c.basis for c in claims) or None,
        "missing": "、".join(missing_labels(outcome.missing)) or None,
        "problems": "\n".join(outcome.problems) or None,
    }


def write_notes(book: Workbook, report: LedgerReport) -> None:
    """The sheet 核对说明: the day, the sheet and header row, counts, and how each column was read."""
    name = text("ledger.notes.sheet")
    if name in book.sheetnames:
        del book[name]
    notes = book.create_sheet(name)
    facts = [
        ("as_of", report.as_of.isoformat()), ("sheet_name", report.sheet),
        ("header_row", report.header_row), ("rows", report.rows),
        ("with_claims", report.with_claims), ("with_problems", report.with_problems),
    ]
    for key, value in facts:
        notes.append([text(f"ledger.notes.{key}"), value])
    notes.append([])
    notes.append([text(f"ledger.notes.{key}") for key in ("column", "title", "read_as")])
    for cell in notes[notes.max_row]:
        cell.font = BOLD
    for column in report.header.columns:
        if column.title:
            notes.append([get_column_letter(column.index + 1), column.title, read_as(column)])
    for letter, width in zip("ABC", (16, 30, 40), strict=True):
        notes.column_dimensions[letter].width = width


def read_as(column: Column) -> str:
    """How a column was read, in words: the fact's name, or why it was not used."""
    if column.field is None:
        return text("ledger.notes.unmapped")
    label = _label(column.field)
    if column.duplicate:
        return f"{label}（{text('ledger.notes.duplicate')}）"
    if column.field == "id_number":
        return f"{label}（{text('ledger.notes.never_read')}）"
    if column.field == "checked":
        return text("ledger.notes.ours")
    if column.field in NOT_READ:
        return f"{label}（{text('ledger.notes.not_read')}）"
    return label


def _label(field: str) -> str:
    if has_text(f"ledger.field.{field}"):
        return text(f"ledger.field.{field}")
    return text(f"eval.fact.{field}") if field in catalogue() else field
