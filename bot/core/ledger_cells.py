"""Reading the cells of one spreadsheet row as raw facts, or saying what is wrong with a cell.

Cells come as the spreadsheet library gives them (text, int, float, bool, date, datetime,
None); the reader of each kind of fact is in :mod:`bot.core.ledger_readers`. This module
skips blanks, keeps an ID number out of every message, reads each distinct cell once, and
turns a reader's refusal into one Chinese sentence naming the column.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from bot.core import answers
from bot.core.errors import InputError
from bot.core.facts import catalogue
from bot.core.ledger_headers import Column, simplified
from bot.core.ledger_readers import READERS, kind_of, shown
from bot.core.render import text

BLANKS = frozenset({"", "/", "-", "--", "—", "——", "不详", "未知", "待定", "空", "n/a", "na"})
ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")   # 居民身份证号: never echoed, not even in a problem


class CellProblem(ValueError):
    """A cell that cannot be read; ``message`` says so in Chinese, naming the column."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_blank(value: Any) -> bool:
    """Empty, or a placeholder that says nothing (/, 不详, 未知)."""
    if value is None:
        return True
    return _blank_text(value) if isinstance(value, str) else False


@lru_cache(maxsize=16384)
def _blank_text(value: str) -> bool:
    cleaned = answers.clean(value)
    return cleaned in BLANKS or answers.parse_unknown(cleaned)


def read_fact(fact: str, columns: Sequence[Column], cells: Sequence[Any], as_of: date) -> dict[str, Any]:
    """The raw facts the fact's column(s) give ({} when blank); CellProblem when unreadable.

    The same cells give the same answer, so each distinct (column, cells, day) is read once:
    a sheet repeats its counties, work places and categories thousands of times. The key
    holds each value's type, since 1 == 1.0 == True for Python but not for a cell.
    """
    given = tuple((type(cells[c.index]), cells[c.index]) if c.index < len(cells) else (None, None)
                  for c in columns)
    found, problem = _read_once(fact, tuple(columns), given, as_of)
    if problem:
        raise CellProblem(problem)
    return found   # shared between equal cells: callers copy, never change it


@lru_cache(maxsize=65536)
def _read_once(fact: str, columns: tuple[Column, ...], given: tuple[tuple[type | None, Any], ...], as_of: date) -> tuple[dict[str, Any], str | None]:
    """(facts, None), or ({}, the problem's message)."""
    given_values = [value for _, value in given if not is_blank(value)]
    if not given_values:
        return {}, None
    values = [simplified(v) if isinstance(v, str) else v for v in given_values]
    title, spec = columns[0].title, catalogue().get(fact, {"type": "work_place"})
    if any(ID_NUMBER.search(shown(v)) for v in values):
        return {}, text("ledger.problem.id_number", title=title)
    try:
        return READERS[kind_of(fact, spec)](fact, spec, values, columns[0], as_of), None
    except answers.NotUnderstood as problem:
        return {}, _problem(fact, spec, title, given_values[0], problem.reason).message
    except InputError as problem:
        return {}, text("ledger.problem.place", title=title, message=problem.zh)


def _problem(fact: str, spec: dict[str, Any], title: str, value: Any, reason: str) -> CellProblem:
    """The Chinese message for a cell the parser did not understand."""
    kind = kind_of(fact, spec)
    context = {"title": title, "value": shown(value), "low": spec.get("min", 0), "high": spec.get("max")}
    if reason == "year only":
        key = "year_only"
    elif reason.startswith("ambiguous month"):
        key, context["year"] = "month_ambiguous", reason.split()[-1]
    elif "future" in reason:
        key = "future"
    elif "range" in reason:
        key = "range"
    elif kind == "enum":
        key = "choice"
        context["choices"] = "、".join(text(f"choice.{fact}.{c}") for c in spec["choices"])
    else:
        key = {"date": "date", "months": "months", "bool": "yes_no"}.get(kind, "number")
    return CellProblem(text(f"ledger.problem.{key}", **context))
