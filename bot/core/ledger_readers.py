"""One reader per kind of fact: a spreadsheet cell's value -> raw facts (bot.core.facts names).

Text goes through the same parsers as a typed chat answer (bot.core.answers); what only
spreadsheets hold (Excel dates and day numbers, ticks, 2024.3 stored as a number) is read
here. A reader raises ``answers.NotUnderstood`` (or the gazetteer's ``InputError``) when
it cannot read a value; the caller words the problem.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from bot.core import answers
from bot.core.errors import RulesError
from bot.core.facts import catalogue
from bot.core.ledger_headers import Column

TICKS = {"√": True, "✓": True, "✔": True, "☑": True, "×": False, "✗": False, "✘": False, "☐": False}
OPEN_ENDED = "无固定期限"                      # 无固定期限劳动合同
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = range(20000, 80000)          # 1954-10-03 .. 2119-01-10 as Excel day numbers


def shown(value: Any) -> str:
    """A cell value as a coordinator sees it, for messages."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def kind_of(fact: str, spec: dict[str, Any]) -> str:
    """The reader a fact needs: origin_county, work_place, months, or the fact's own type."""
    kind = spec.get("type")
    if fact == "origin_county" or fact == "work_place":
        return fact
    if kind == "int" and spec.get("unit") == "month":
        return "months"
    if not isinstance(kind, str):
        raise RulesError(f"事实 {fact} 在事实清单里没有类型", f"fact {fact!r} has no type in facts.yaml")
    return kind


def _origin(fact: str, spec: dict[str, Any], values: list[Any], column: Column, as_of: date) -> dict[str, Any]:
    from bot.core.places import resolve_county

    return {"origin_county": resolve_county(" ".join(shown(v) for v in values)).name}


def _work_place(fact: str, spec: dict[str, Any], values: list[Any], column: Column, as_of: date) -> dict[str, Any]:
    from bot.core.places import resolve_work_place

    place = resolve_work_place(" ".join(shown(v) for v in values))
    return {f"work_{part}": getattr(place, part) for part in ("province", "city", "county")
            if getattr(place, part)}


def read_date(value: Any, as_of: date) -> date:
    """A date cell: a real date, an Excel day number, 202403 / 20240301, 2024.3, or text."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        found = value
    elif isinstance(value, bool):
        raise answers.NotUnderstood("not a date")
    elif isinstance(value, int) and value in EXCEL_SERIALS:
        found = EXCEL_EPOCH + timedelta(days=value)
    elif isinstance(value, int) and re.fullmatch(r"\d{6}|\d{8}", str(value)):
        digits = str(value)
        found = answers.parse_date(f"{digits[:4]}-{digits[4:6]}-{digits[6:] or '01'}", as_of)
    elif isinstance(value, float):
        # 2024.10 typed into a cell is stored as the number 2024.1: January or October?
        year, _, month = repr(value).partition(".")
        if month == "1":
            raise answers.NotUnderstood(f"ambiguous month {year}")
        found = answers.parse_date(f"{year}.{month}", as_of)
    else:
        typed = answers.without_cues(shown(value))
        # answers.parse_date reads a bare year as its January; a sheet's start date must say the month.
        if re.fullmatch(r"\s*(\d{2}|\d{4})\s*年?\s*", typed):
            raise answers.NotUnderstood("year only")
        found = answers.parse_date(typed, as_of)
    if found > as_of:
        raise answers.NotUnderstood("date in the future")
    return found


def _date(fact: str, spec: dict[str, Any], values: list[Any], column: Column, as_of: date) -> dict[str, Any]:
    value = values[0]
    try:
        return {fact: read_date(value, as_of).isoformat()}
    except answers.NotUnderstood as problem:
        # Like the chat: "干了两年" in the start column is a length, not a start.
        if fact != "employment_start" or not isinstance(value, str) or "future" in problem.reason:
            raise
        try:
            return _in_range("months_employed", answers.parse_months(answers.without_cues(value)))
        except answers.NotUnderstood:
            raise problem from None


def _months(fact: str, spec: dict[str, Any], values: list[Any], column: Column, as_of: date) -> dict[str, Any]:
    value = values[0]
    if fact == "contract_months" and isinstance(value, str) and OPEN_ENDED in value:
        # An open-ended contract has no end: it meets every "at least N months" condition,
        # so it is read as the longest contract the vocabulary allows.
        return {fact: spec["max"]}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif re.fullmatch(r"-?\d+(\.\d+)?", answers.clean(shown(value))):
        number = float(answers.clean(shown(value)))
    else:
        return _in_range(fact, answers.parse_months(shown(value)))
    number *= 12 if column.in_years else 1
    if not number.is_integer():
        raise answers.NotUnderstood(f"not whole months: {value}")
    return _in_range(fact, int(number))


def _number(fact: str, spec: dict[str, Any], values: list[Any], column: Column, as_of: date) -> dict[str, Any]:
    value = values[0]
    if isinstance(value, bool):
        raise answers.NotUnderstood("not a number")
    number = float(value) if isinstance(value, (int, float)) else answers.parse_number(shown(value))
    if spec.get("type") == "int" and not number.is_integer():
        raise answers.NotUnderstood(f"not a whole number: {value}")
    return _in_range(fact, int(number) if number.is_integer() else number)


def _in_range(fact: str, number: float) -> dict[str, Any]:
    spec = catalogue()[fact]
    if number < spec.get("min", 0) or ("max" in spec and number > spec["max"]):
        raise answers.NotUnderstood("out of range")
    return {fact: number}


def _yes_no(fact: str, spec: dict[str, Any], values: list[Any], column: Column, as_of: date) -> dict[str, Any]:
    value = values[0]
    if isinstance(value, bool):
        return {fact: value}
    if isinstance(value, (int, float)) and value in (0, 1):
        return {fact: bool(value)}
    cleaned = answers.clean(shown(value))
    if cleaned in TICKS:
        return {fact: TICKS[cleaned]}
    return {fact: answers.parse_yes_no(cleaned)}


def _choice(fact: str, spec: dict[str, Any], values: list[Any], column: Column, as_of: date) -> dict[str, Any]:
    value = shown(values[0])
    if value in spec["choices"]:
        return {fact: value}
    # answers.parse_category looks for a word anywhere: "非脱贫户" would read as 脱贫.
    if re.match(r"(非|不是|未)", answers.clean(value)):
        raise answers.NotUnderstood(f"negated choice: {value}")
    parser = answers.parse_category if fact == "person_category" else answers.parse_certificate
    return {fact: parser(value)}


def _text(fact: str, spec: dict[str, Any], values: list[Any], column: Column, as_of: date) -> dict[str, Any]:
    return {fact: " ".join(shown(v) for v in values)}


READERS = {
    "origin_county": _origin, "work_place": _work_place, "date": _date, "months": _months,
    "int": _number, "number": _number, "bool": _yes_no, "enum": _choice, "string": _text,
}
