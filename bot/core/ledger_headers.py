"""Reading a coordinator's column titles: which fact (or known column) each one holds.

The words live in ``ledger_headers.yaml`` beside this module. A title is normalised
(full-width, traditional characters, spaces and marks) before it is compared, so
``戶籍縣``, ``户籍县 `` and ``户籍所在县（市、区）`` all read as ``origin_county``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    import opencc

SYNONYMS_FILE = Path(__file__).with_name("ledger_headers.yaml")
# Columns read together as one place text, in this order (户籍省 + 户籍县; 务工省 + 务工市 …).
PLACE_PARTS = {
    "origin_county": ("origin_county",),
    "work_place": ("work_province", "work_city", "work_county", "work_place"),
}
# Recognised, but too common in any table to tell a coordinator's header row by themselves.
GENERIC = frozenset({"row_number", "remark", "ledger_output", "checked"})
NOT_READ = frozenset({"name", "id_number", "phone", "village", *GENERIC})
HEADER_SEARCH_ROWS = 30
_MARKS = re.compile(r"[\s*★☆※:：,，、.。·•\-_/\\|'\"“”‘’]+")
_BRACKETED = re.compile(r"[(（\[【]([^)）\]】]*)[)）\]】]")


@dataclass(frozen=True)
class Column:
    """One column of the sheet as read: its position, title and field (None: not mapped)."""

    index: int
    title: str
    field: str | None
    in_years: bool = False       # the title says the duration is in years (合同期限（年）)
    duplicate: bool = False      # a second column for a one-column field: left unread


@dataclass(frozen=True)
class HeaderMap:
    """Every column of the header row, in sheet order."""

    columns: tuple[Column, ...]

    def recognised(self) -> int:
        """How many titles name something about the person (generic ones left out)."""
        return sum(1 for c in self.columns if c.field and c.field not in GENERIC)

    def unmapped(self) -> list[str]:
        """Non-empty titles that could not be read, in sheet order."""
        return [c.title for c in self.columns if c.title and c.field is None]

    def duplicates(self) -> list[str]:
        """Titles of second columns for a field already read from an earlier column."""
        return [c.title for c in self.columns if c.duplicate]

    def fact_columns(self) -> dict[str, list[Column]]:
        """The columns to read for each fact (place parts grouped under their fact)."""
        part_of = {part: fact for fact, parts in PLACE_PARTS.items() for part in parts}
        found: dict[str, list[Column]] = {}
        for column in self.columns:
            if column.field and column.field not in NOT_READ and not column.duplicate:
                found.setdefault(part_of.get(column.field, column.field), []).append(column)
        order = {part: at for parts in PLACE_PARTS.values() for at, part in enumerate(parts)}
        for fact in PLACE_PARTS:
            found.get(fact, []).sort(key=lambda c: (order[_mapped_field(c)], c.index))
        return found

    def checked_columns(self) -> list[Column]:
        """Columns this command added on an earlier run (written over, not repeated)."""
        return [c for c in self.columns if c.field == "checked"]


def _mapped_field(column: Column) -> str:
    """The field of a column known to be mapped (a None here is a bug in the caller)."""
    if column.field is None:
        raise ValueError(f"column {column.index} ({column.title!r}) has no field")
    return column.field


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, frozenset[str], tuple[tuple[str, ...], ...]], ...]:
    """(field, exact titles, word lists) in the file's order, normalised like titles."""
    data = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))["fields"]
    return tuple(
        (name, frozenset(normalise(t)[0] for t in spec.get("exact", [])),
         tuple(tuple(normalise(w)[0] for w in words) for words in spec.get("words", [])))
        for name, spec in data.items())


@lru_cache(maxsize=1)
def _simplifier() -> opencc.OpenCC:
    """OpenCC's traditional -> simplified converter (built once, on first need)."""
    import opencc

    return opencc.OpenCC("t2s")


def simplified(value: str) -> str:
    """Full-width to half-width and traditional to simplified characters (ASCII unchanged)."""
    value = unicodedata.normalize("NFKC", value)
    return value if value.isascii() else _simplifier().convert(value)


def normalise(title: Any) -> tuple[str, str]:
    """(title without its bracket text, bracket text), both simplified, lower case, no marks."""
    value = simplified("" if title is None else str(title)).lower()
    bracketed = "".join(_BRACKETED.findall(value))
    bare = _BRACKETED.sub("", value)
    return _MARKS.sub("", bare), _MARKS.sub("", bracketed)


@lru_cache(maxsize=4096)
def read_title(title: str) -> tuple[str | None, bool]:
    """(field, in_years) for one column title; field None when nothing fits."""
    bare, bracketed = normalise(title)
    whole = bare + bracketed
    if not whole:
        return None, False
    in_years = "年" in bracketed and "月" not in bracketed
    for field, exact, word_lists in _table():
        if bare in exact or any(all(w in whole for w in words) for words in word_lists):
            return field, in_years
    return None, False


def map_headers(titles: Sequence[Any]) -> HeaderMap:
    """Read a header row; a one-column field met again is marked ``duplicate``."""
    columns, seen = [], set()
    grouped = {part for parts in PLACE_PARTS.values() for part in parts} | NOT_READ
    for index, raw in enumerate(titles):
        title = "" if raw is None else str(raw).strip()
        field, in_years = read_title(title) if title else (None, False)
        duplicate = field is not None and field not in grouped and field in seen
        seen.add(field)
        columns.append(Column(index, title, field, in_years, duplicate))
    return HeaderMap(tuple(columns))


def find_header_row(rows: Iterable[Sequence[Any]], limit: int = HEADER_SEARCH_ROWS) -> int | None:
    """Index of the first of the first ``limit`` rows naming ≥ 2 things about a person."""
    for at, row in enumerate(rows):
        if at >= limit:
            return None
        if map_headers(row).recognised() >= 2:
            return at
    return None
