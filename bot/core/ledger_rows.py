"""One spreadsheet row evaluated: what it can claim, what is still unknown, what is wrong with it.

Channel-free: rows arrive as plain sequences of cell values, with the header read by
:mod:`bot.core.ledger_headers`. A row with a problem is still evaluated on the cells that
could be read, and the problem is said; no row is ever dropped.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.core.errors import InputError
from bot.core.evaluator import evaluate
from bot.core.facts import catalogue, normalise_facts
from bot.core.ledger_cells import CellProblem, is_blank, read_fact
from bot.core.ledger_headers import Column, HeaderMap
from bot.core.render import clause_label, has_text, text
from bot.core.result import Result


@dataclass(frozen=True)
class ClaimLine:
    """One subsidy a row can claim now, as the sheet shows it."""

    rule: str
    title: str
    amount: str                 # 一次性3000元, or the document's note where it sets no figure
    yuan: float | None          # the figure, None where the document sets none
    deadline: date | None
    basis: str                  # 文号 and clause


@dataclass(frozen=True)
class RowOutcome:
    """The evaluation of one row (``blank``: nothing in it, nothing said)."""

    blank: bool = False
    claims: tuple[ClaimLine, ...] = ()
    missing: tuple[str, ...] = ()        # fact names still unknown, in vocabulary order
    problems: tuple[str, ...] = ()       # Chinese, one per unreadable cell
    facts: dict[str, Any] = field(default_factory=dict)


def evaluate_rows(header: HeaderMap, rows: Iterable[Sequence[Any]], as_of: date) -> Iterator[RowOutcome]:
    """Each row's outcome, in order (one per row, blank rows included)."""
    columns = header.fact_columns()
    for cells in rows:
        yield evaluate_row(columns, cells, as_of)


def evaluate_row(columns: dict[str, list[Column]], cells: Sequence[Any], as_of: date) -> RowOutcome:
    """Read the row's facts, evaluate every rule for them as of the day, keep what a sheet shows."""
    if all(is_blank(value) for value in cells):
        return RowOutcome(blank=True)
    raw, problems = read_row(columns, cells, as_of)
    facts = _normalised(raw, as_of, problems)
    results = [r for r in evaluate(facts, as_of, keep_out_of_scope=False) if r.beneficiary == "worker"]
    claims = tuple(claim_line(r) for r in results if r.claimable is True)
    return RowOutcome(False, claims, _missing(results), tuple(problems), facts)


def read_row(columns: dict[str, list[Column]], cells: Sequence[Any], as_of: date) -> tuple[dict[str, Any], list[str]]:
    """(raw facts, problems): every readable fact column, and a message for each unreadable one."""
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for fact, fact_columns in columns.items():
        try:
            raw.update(read_fact(fact, fact_columns, cells, as_of))
        except CellProblem as problem:
            problems.append(problem.message)
    return raw, problems


def _normalised(raw: dict[str, Any], as_of: date, problems: list[str]) -> dict[str, Any]:
    """normalise_facts(); when it refuses, leave out (and name) each fact it refuses alone."""
    try:
        return normalise_facts(raw, as_of=as_of)
    except InputError:
        pass
    kept = {}
    for key, value in raw.items():
        try:
            normalise_facts({key: value}, as_of=as_of)
            kept[key] = value
        except InputError as problem:
            problems.append(text("ledger.problem.facts", message=problem.zh))
    try:
        return normalise_facts(kept, as_of=as_of)
    except InputError as problem:
        problems.append(text("ledger.problem.facts", message=problem.zh))
        return {}


def _missing(results: list[Result]) -> tuple[str, ...]:
    """Facts that would decide still-open results, in vocabulary order."""
    names = {name for r in results if r.eligible is None for name in r.missing_facts}
    order = {name: at for at, name in enumerate(catalogue())}
    return tuple(sorted(names, key=lambda n: order.get(n, len(order))))


def missing_labels(names: Iterable[str]) -> list[str]:
    """Chinese names of facts, each said once (origin county/city/province are all 老家)."""
    labels = (text(f"eval.fact.{n}") if has_text(f"eval.fact.{n}") else n for n in names)
    return list(dict.fromkeys(labels))


def claim_line(result: Result) -> ClaimLine:
    """A claimable result as the sheet's cells show it."""
    amount = result.amount or {}
    yuan = amount.get("yuan")
    return ClaimLine(result.id, result.title, amount_text(result), yuan, result.claim_deadline,
                     basis(result.citation.get("doc", ""), result.citation.get("clause", "")))


def amount_text(result: Result) -> str:
    """``一次性3000元``, ``每月500元``, ``一次性最多2000元``; the document's note where no figure."""
    amount = result.amount or {}
    if amount.get("yuan") is None:
        return result.amount_note or text("ledger.amount_local")
    per = amount.get("per")
    per_label = text(f"staff.per.{per}") if per and has_text(f"staff.per.{per}") else ""
    return text("staff.ledger.amount", yuan=amount["yuan"], per=per_label, up_to=bool(amount.get("up_to")))


def basis(doc: str, clause: str) -> str:
    """``绍市人社发〔2021〕51号 第三（一）条``: the document's number (or title) and the clause."""
    from bot.core.knowledge import load_knowledge

    document = load_knowledge().documents.get(doc)
    name = (document.number or document.title) if document else doc
    return text("ledger.basis", number=name, clause=clause_label(clause))
