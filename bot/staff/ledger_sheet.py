"""A coordinator's own spreadsheet checked row by row (``python -m bot ledger evaluate``).

The workbook is opened as it is and saved under the new name with columns added to the
right of the evaluated sheet: the coordinator's cells (values and formats) are left as they
were, rows keep their order, and no row is dropped. A sheet 核对说明 says how each column
was read. The row evaluation itself is channel-free (bot.core.ledger_rows).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.errors import InputError
from bot.core.ledger_headers import HEADER_SEARCH_ROWS, HeaderMap, find_header_row, map_headers
from bot.core.ledger_rows import RowOutcome, evaluate_rows
from bot.core.render import text
from bot.staff.ledger_write import write_notes, write_outcomes

OLE_MAGIC = b"\xd0\xcf\x11\xe0"      # the old binary .xls / .et format


@dataclass(frozen=True)
class LedgerReport:
    """What was read and found; ``outcomes[i]`` is the i-th row under the header."""

    sheet: str
    header_row: int                  # 1-based, as Excel numbers rows
    header: HeaderMap
    outcomes: tuple[RowOutcome, ...]
    as_of: date

    @property
    def rows(self) -> int:
        return sum(1 for o in self.outcomes if not o.blank)

    @property
    def with_claims(self) -> int:
        return sum(1 for o in self.outcomes if o.claims)

    @property
    def with_problems(self) -> int:
        return sum(1 for o in self.outcomes if o.problems)

    def summary(self, out: str) -> str:
        """One line, Chinese then English."""
        unmapped = self.header.unmapped()
        zh = text("ledger.summary", rows=self.rows, with_claims=self.with_claims,
                  with_problems=self.with_problems, unmapped=unmapped, out=out)
        en = (f"checked {self.rows} rows ({self.with_claims} with claims, {self.with_problems} with "
              f"problems); unmapped headers: {', '.join(unmapped) or 'none'}; written to {out}")
        return f"{zh} / {en}"


def evaluate_ledger_file(source: Path, target: Path, as_of: date) -> LedgerReport:
    """Check ``source`` and save the checked copy as ``target``."""
    try:
        content = source.read_bytes()
    except OSError as exc:
        raise InputError(text("ledger.error.unreadable", name=str(source)),
                         f"cannot read {source}: {exc.strerror or exc}") from None
    book, report = check_workbook(BytesIO(content), source.name, as_of, old=content[:4] == OLE_MAGIC)
    try:
        book.save(target)
    except OSError as exc:
        raise InputError(text("ledger.error.unwritable", name=str(target)),
                         f"cannot write {target}: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl may refuse what it read (odd names, styles)
        raise _unsavable(source.name, exc) from None
    return report


def evaluate_ledger_bytes(content: bytes, name: str, as_of: date) -> tuple[bytes, LedgerReport]:
    """The same for a file received as bytes (a document sent to the bot)."""
    book, report = check_workbook(BytesIO(content), name, as_of, old=content[:4] == OLE_MAGIC)
    buffer = BytesIO()
    try:
        book.save(buffer)
    except Exception as exc:  # noqa: BLE001 - as above
        raise _unsavable(name, exc) from None
    return buffer.getvalue(), report


def _unsavable(name: str, exc: Exception) -> InputError:
    return InputError(text("ledger.error.unsavable", name=name),
                      f"{name}: the checked copy could not be written ({type(exc).__name__})")


def check_workbook(stream: BinaryIO, name: str, as_of: date, old: bool = False) -> tuple[Workbook, LedgerReport]:
    """Open, find the header, evaluate every row under it, add the columns and the notes sheet."""
    book = _open(stream, name, old)
    sheet, at = _header_sheet(book, name)
    header = map_headers(_row_values(sheet, at))
    rows = _data_rows(sheet, at, header, stream)
    outcomes = tuple(evaluate_rows(header, rows, as_of))
    report = LedgerReport(sheet.title, at, header, outcomes, as_of)
    write_outcomes(sheet, at, header, outcomes)
    write_notes(book, report)
    return book, report


def _open(stream: BinaryIO, name: str, old: bool, data_only: bool = False) -> Workbook:
    try:
        stream.seek(0)
        return load_workbook(stream, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - a damaged file fails in many ways inside openpyxl
        raise _not_xlsx(name, f"{name} is not an .xlsx workbook ({type(exc).__name__})", old) from None


def _not_xlsx(name: str, en: str, old: bool = False) -> InputError:
    return InputError(text("ledger.error.not_xlsx", name=name, old=old), en)


def _header_sheet(book: Workbook, name: str) -> tuple[Worksheet, int]:
    """The first sheet (the active one first) with a header row, and that row (1-based)."""
    sheets = [book.active, *(s for s in book.worksheets if s is not book.active)]
    for sheet in sheets:
        if not isinstance(sheet, Worksheet):
            continue
        top = sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
        found = find_header_row(top)
        if found is not None:
            return sheet, found + 1
    raise InputError(text("ledger.error.no_header", name=name, rows=HEADER_SEARCH_ROWS),
                     f"no header row in {name}: no row among the first {HEADER_SEARCH_ROWS} "
                     "names two known columns (姓名, 户籍县, 务工地, 社保月数 …)")


def _row_values(sheet: Worksheet, row: int) -> list[Any]:
    return list(next(sheet.iter_rows(min_row=row, max_row=row, values_only=True), ()))


def _data_rows(sheet: Worksheet, at: int, header: HeaderMap, stream: BinaryIO) -> list[tuple[Any, ...]]:
    """Every row under the header; formulas in fact columns read as their last computed value."""
    rows = _values(sheet, at)
    read = sorted({c.index for columns in header.fact_columns().values() for c in columns})
    if any(isinstance(row[i], str) and row[i].startswith("=") for row in rows for i in read if i < len(row)):
        rows = _values(_open(stream, sheet.title, False, data_only=True)[sheet.title], at)
    added = {c.index for c in header.checked_columns()}   # an earlier run's columns: not input
    return [tuple(None if i in added else v for i, v in enumerate(row)) for row in rows] if added else rows


def _values(sheet: Worksheet, at: int) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(min_row=at + 1, max_row=max(sheet.max_row, at), values_only=True))


@dataclass(frozen=True)
class SheetPerson:
    """A named person of a coordinator's sheet (for registering them as applicants)."""

    row: int            # the Excel row number
    name: str
    phone: str | None


def people_in_sheet(content: bytes, name: str) -> list[SheetPerson]:
    """The rows of a sheet that name a person, with the phone where a column gives one.

    The ID number column is never read (it is not stored anywhere).
    """
    book = _open(BytesIO(content), name, content[:4] == OLE_MAGIC)
    sheet, at = _header_sheet(book, name)
    header = map_headers(_row_values(sheet, at))
    names = [c.index for c in header.columns if c.field == "name" and not c.duplicate]
    phones = [c.index for c in header.columns if c.field == "phone" and not c.duplicate]
    if not names:
        return []
    found = []
    for offset, cells in enumerate(_values(sheet, at), start=at + 1):
        person = _cell(cells, names[0])
        if person:
            found.append(SheetPerson(offset, person, _cell(cells, phones[0]) if phones else None))
    return found


def _cell(cells: tuple[Any, ...], index: int) -> str:
    """A cell's text, trimmed ("" when empty or out of the row)."""
    value = cells[index] if index < len(cells) else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()
