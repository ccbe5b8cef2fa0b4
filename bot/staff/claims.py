"""Claims followed through: a worker (or his coordinator) marks what became of each subsidy.

A mark is one of 已申请 (``applied``, a date), 已到账 (``received``, a date and maybe the amount
received), 被拒 (``rejected``, a date and maybe a reason), 不想申请 (``declined``). It belongs to a
:class:`Subject`: the worker's own Telegram id, or an applicant a coordinator registered. A later
mark replaces the earlier one for the same subject and rule (``staff_claims``); every mark, undo
and clear is also appended to ``staff_claim_history`` (nothing there is rewritten).

Who may do what:

* a worker marks and reads only his own claims (``Subject.worker(his id)``);
* an applicant's claims are marked by his coordinator (same village) and read by him, by staff
  of the applicant's county/city and by admins.

Not to be confused with :class:`bot.staff.assessment.Claim` (a subsidy someone *can* claim now)
or ``bot.broadcast.claims`` (outbox rows claimed for sending).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from sqlmodel import Session, col, select

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.access import owned, readable
from bot.staff.applicants import plain
from bot.staff.audit import record
from bot.staff.context import StaffContext, as_utc
from bot.staff.models import ClaimHistoryRow, ClaimRow
from bot.staff.roles import PermissionDenied

APPLIED, RECEIVED, REJECTED, DECLINED = "applied", "received", "rejected", "declined"
STATUSES = (APPLIED, RECEIVED, REJECTED, DECLINED)
STOPS_REMINDERS = frozenset({APPLIED, RECEIVED, DECLINED})  # 被拒: he may apply again
DATED = frozenset({APPLIED, RECEIVED, REJECTED})              # 不想申请 has no date
MARK, UNDO, CLEAR = "mark", "undo", "clear"
MAX_REASON = 200
MAX_YUAN = Decimal(1_000_000)  # no subsidy in the documents comes near it: a typo, not money
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Subject:
    """Whose claim: a worker's own Telegram id, or an applicant record (exactly one)."""

    user_id: int | None = None
    applicant_id: int | None = None

    def __post_init__(self) -> None:
        """Refuse neither or both."""
        if (self.user_id is None) == (self.applicant_id is None):
            raise ValueError("a claim subject is a worker (user_id) or an applicant, not both")

    @classmethod
    def worker(cls, user_id: int) -> Subject:
        """The worker himself (his Telegram user id)."""
        return cls(user_id=user_id)

    @classmethod
    def applicant(cls, applicant_id: int) -> Subject:
        """An applicant a coordinator registered."""
        return cls(applicant_id=applicant_id)

    @property
    def ref(self) -> str:
        """``user:<id>`` or ``applicant:<id>`` (audit targets, logs)."""
        return f"user:{self.user_id}" if self.user_id is not None else f"applicant:{self.applicant_id}"


@dataclass(frozen=True)
class ClaimMark:
    """The current mark of one subsidy for one subject."""

    rule: str
    status: str                 # applied | received | rejected | declined
    on: date | None             # when applied / received / refused; None for declined
    amount: Decimal | None      # yuan actually received, when entered (received only)
    reason: str                 # why refused (or declined), may be ""
    marked_by: int | None       # who marked it (None once that user erased their data)
    marked_at: datetime

    @property
    def label(self) -> str:
        """已申请 / 已到账 / 被拒 / 不想申请."""
        return status_label(self.status)

    @property
    def stops_reminders(self) -> bool:
        """Whether reminders about this subsidy stop (applied, received, declined)."""
        return self.status in STOPS_REMINDERS


@dataclass(frozen=True)
class ClaimEvent:
    """One line of a claim's history: a mark, an undo (``status`` restored) or a clear."""

    rule: str
    action: str                 # mark | undo | clear
    status: str | None          # the state after this event (None: nothing marked)
    on: date | None
    amount: Decimal | None
    reason: str
    marked_by: int | None
    marked_at: datetime


def status_label(status: str) -> str:
    """The Chinese word for a status."""
    return text(f"staff.claim.status.{status}")


def mark_text(mark: ClaimMark | None) -> str:
    """``已申请（2026年11月1日）``, ``已到账3000元（…）``, ``被拒：材料不全``; 未标记 for None."""
    if mark is None:
        return text("staff.claim.unmarked")
    return text("staff.claim.mark", status=mark.label, on=mark.on, reason=mark.reason,
                amount=None if mark.amount is None else float(mark.amount))


@lru_cache(maxsize=1)
def _known_rules() -> frozenset[str]:
    """Every rule id in rules/*.yaml."""
    from bot.core.rules import load_rules

    return frozenset(rule.id for rule in load_rules())


@dataclass(frozen=True)
class RuleInfo:
    """A subsidy as the rules file names it: its title, and its amount where the document sets
    one figure for everybody (None where it sets none, or where it depends on the answers)."""

    title: str
    amount: dict | None


@lru_cache(maxsize=1)
def rule_catalogue() -> dict[str, RuleInfo]:
    """Rule id -> title and fixed amount (for marks on subsidies no longer claimable)."""
    from bot.core.rules import load_rules

    return {rule.id: RuleInfo(rule.title, rule.amount if (rule.amount or {}).get("yuan") is not None
                              else None) for rule in load_rules()}


def rule_title(rule_id: str) -> str:
    """The subsidy's title, or the id itself for a rule no longer in the rules files."""
    info = rule_catalogue().get(rule_id)
    return info.title if info else rule_id


def parse_amount(value: Decimal | float | str) -> Decimal:
    """Yuan as entered (``3000``, ``3,000元``, ``三千``, ``1.5万``), positive, to the fen."""
    if isinstance(value, bool):
        raise InputError(text("staff.claim.bad_amount"), "amount is a boolean")
    if isinstance(value, str):
        from bot.core.answer_text import NotUnderstood
        from bot.core.answers import read_number

        typed = value
        try:
            value = read_number(re.sub(r"[,，\s]", "", typed)).value
        except NotUnderstood:
            raise InputError(text("staff.claim.bad_amount"), f"not an amount: {typed[:40]!r}") from None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InputError(text("staff.claim.bad_amount"), f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_YUAN:
        raise InputError(text("staff.claim.bad_amount"), f"amount out of range: {amount}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def _fen(amount: Decimal | None) -> int | None:
    """Yuan as whole fen for storage."""
    return None if amount is None else int(amount * 100)


def _yuan(fen: int | None) -> Decimal | None:
    """Stored fen as yuan."""
    return None if fen is None else (Decimal(fen) / 100).quantize(FEN)


def _check(rule_id: str, status: str, on: date | None, amount: Decimal | float | str | None,
           reason: str | None, as_of: date) -> tuple[date | None, Decimal | None, str]:
    """The date, amount and reason to store; InputError (in Chinese) for anything wrong."""
    if rule_id not in _known_rules():
        raise InputError(text("staff.claim.unknown_rule"), f"unknown rule {rule_id!r}")
    if status not in STATUSES:
        raise InputError(text("staff.claim.bad_status"), f"unknown claim status {status!r}")
    if amount is not None and status != RECEIVED:
        raise InputError(text("staff.claim.amount_only_received"), f"amount with status {status}")
    if on is not None and on > as_of:
        raise InputError(text("staff.claim.future_date"), f"{on} is after {as_of}")
    day = (on or as_of) if status in DATED else None
    note = plain(reason or "")
    if len(note) > MAX_REASON:
        note = note[:MAX_REASON - 1] + "…"
    return day, None if amount is None else parse_amount(amount), note


def _subject_filter(model: type[ClaimRow | ClaimHistoryRow], subject: Subject) -> list:
    """WHERE terms selecting the subject's rows."""
    if subject.user_id is not None:
        return [col(model.user_id) == subject.user_id]
    return [col(model.applicant_id) == subject.applicant_id]


def _may_write(session: Session, ctx: StaffContext, actor_id: int, subject: Subject,
               action: str) -> None:
    """The worker himself, or the applicant's own coordinator; else PermissionDenied."""
    if subject.user_id is not None:
        if actor_id != subject.user_id:
            raise PermissionDenied(action)
        return
    owned(session, ctx, actor_id, int(subject.applicant_id or 0), action)


def _may_read(session: Session, ctx: StaffContext, actor_id: int, subject: Subject) -> None:
    """The worker himself; an applicant's coordinator, staff of his place, admins."""
    if subject.user_id is not None:
        if actor_id != subject.user_id:
            raise PermissionDenied("claim.read")
        return
    readable(session, ctx, actor_id, int(subject.applicant_id or 0), "claim.read")


def _to_mark(row: ClaimRow) -> ClaimMark:
    """The record of a stored current mark."""
    return ClaimMark(row.rule, row.status, row.on_date, _yuan(row.amount_fen), row.reason,
                     row.marked_by, as_utc(row.marked_at))


def _to_event(row: ClaimHistoryRow) -> ClaimEvent:
    """The record of a history line."""
    return ClaimEvent(row.rule, row.action, row.status, row.on_date, _yuan(row.amount_fen),
                      row.reason, row.marked_by, as_utc(row.marked_at))


def _current(session: Session, subject: Subject, rule_id: str) -> ClaimRow | None:
    """The subject's current row for the rule."""
    return session.exec(select(ClaimRow).where(
        *_subject_filter(ClaimRow, subject), col(ClaimRow.rule) == rule_id)).first()


def _set(session: Session, ctx: StaffContext, actor_id: int, subject: Subject, rule_id: str,
         action: str, state: ClaimEvent | None) -> ClaimMark | None:
    """Make ``state`` (None: nothing) the current mark and append the history line."""
    now = ctx.now()
    row = _current(session, subject, rule_id)
    if state is None or state.status is None:
        if row is not None:
            session.delete(row)
        status = on = fen = None
        reason = ""
    else:
        status, on, fen, reason = state.status, state.on, _fen(state.amount), state.reason
        if row is None:
            row = ClaimRow(user_id=subject.user_id, applicant_id=subject.applicant_id,
                           rule=rule_id, status=status, marked_at=now)
        row.status, row.on_date, row.amount_fen, row.reason = status, on, fen, reason
        row.marked_by, row.marked_at = actor_id, now
        session.add(row)
    session.add(ClaimHistoryRow(user_id=subject.user_id, applicant_id=subject.applicant_id,
                                rule=rule_id, action=action, status=status, on_date=on,
                                amount_fen=fen, reason=reason, marked_by=actor_id, marked_at=now))
    if subject.applicant_id is not None:
        record(session, ctx, actor_id, f"claim.{action}", subject.ref,
               {"rule": rule_id, "status": status})
    session.flush()
    return None if status is None or row is None else _to_mark(row)


def mark_claim(ctx: StaffContext, actor_id: int, subject: Subject, rule_id: str, status: str, *,
               on: date | None = None, amount: Decimal | float | str | None = None,
               reason: str | None = None, as_of: date | None = None) -> ClaimMark:
    """Mark one subsidy (``rule_id``) of ``subject`` as applied/received/rejected/declined.

    ``on`` (default ``as_of``, itself default today in China) may not be after ``as_of``; it is
    dropped for ``declined``. ``amount`` (yuan received: a number or text such as ``3000元``,
    ``三千``) only with ``received``. ``reason`` is cleaned and cut to 200 characters. Replaces
    the subject's earlier mark for the rule; the history keeps both. InputError (Chinese) on bad
    input, PermissionDenied when the actor may not mark for the subject; nothing changes then.
    """
    today = as_of or ctx.today()
    day, money, note = _check(rule_id, status, on, amount, reason, today)
    with ctx.transaction() as session:
        _may_write(session, ctx, actor_id, subject, "claim.mark")
        state = ClaimEvent(rule_id, MARK, status, day, money, note, actor_id, ctx.now())
        mark = _set(session, ctx, actor_id, subject, rule_id, MARK, state)
    assert mark is not None
    return mark


def _stack(events: Iterable[ClaimEvent]) -> list[ClaimEvent | None]:
    """The states a claim went through, undone ones popped: the last is the current state."""
    stack: list[ClaimEvent | None] = [None]
    for event in events:
        if event.action == UNDO:
            if len(stack) > 1:
                stack.pop()
        else:
            stack.append(event if event.action == MARK else None)
    return stack


def _events(session: Session, subject: Subject, rule_id: str | None = None) -> list[ClaimEvent]:
    """The subject's history lines (one rule or all), oldest first."""
    query = select(ClaimHistoryRow).where(*_subject_filter(ClaimHistoryRow, subject))
    if rule_id is not None:
        query = query.where(col(ClaimHistoryRow.rule) == rule_id)
    return [_to_event(row) for row in session.exec(query.order_by(col(ClaimHistoryRow.id)))]


def undo_claim(ctx: StaffContext, actor_id: int, subject: Subject,
               rule_id: str) -> ClaimMark | None:
    """Go back to the mark before the last mark or clear (again: one more step back).

    Returns the mark now current (None: nothing marked). Nothing to undo changes nothing.
    """
    with ctx.transaction() as session:
        _may_write(session, ctx, actor_id, subject, "claim.undo")
        stack = _stack(_events(session, subject, rule_id))
        if len(stack) < 2:
            return None
        return _set(session, ctx, actor_id, subject, rule_id, UNDO, stack[-2])


def clear_claim(ctx: StaffContext, actor_id: int, subject: Subject, rule_id: str) -> bool:
    """Remove the current mark (history keeps it; :func:`undo_claim` brings it back).

    False when nothing was marked (nothing is written then).
    """
    with ctx.transaction() as session:
        _may_write(session, ctx, actor_id, subject, "claim.clear")
        if _current(session, subject, rule_id) is None:
            return False
        _set(session, ctx, actor_id, subject, rule_id, CLEAR, None)
        return True


def claims_of(ctx: StaffContext, actor_id: int, subject: Subject) -> dict[str, ClaimMark]:
    """Rule id -> current mark, for the worker himself or whoever may read the applicant."""
    with ctx.transaction() as session:
        _may_read(session, ctx, actor_id, subject)
        rows = session.exec(select(ClaimRow).where(*_subject_filter(ClaimRow, subject))
                            .order_by(col(ClaimRow.rule))).all()
        return {row.rule: _to_mark(row) for row in rows}


def claim_history(ctx: StaffContext, actor_id: int, subject: Subject,
                  rule_id: str | None = None) -> list[ClaimEvent]:
    """Every mark, undo and clear of the subject (one rule or all), oldest first."""
    with ctx.transaction() as session:
        _may_read(session, ctx, actor_id, subject)
        return _events(session, subject, rule_id)


def marks_for_applicants(session: Session,
                         applicant_ids: Iterable[int]) -> dict[int, dict[str, ClaimMark]]:
    """Applicant id -> rule id -> current mark (no rights check: callers do it)."""
    ids = list(applicant_ids)
    found: dict[int, dict[str, ClaimMark]] = {i: {} for i in ids}
    if ids:
        for row in session.exec(select(ClaimRow).where(col(ClaimRow.applicant_id).in_(ids))):
            found[int(row.applicant_id or 0)][row.rule] = _to_mark(row)
    return found


def marks_for_workers(session: Session, user_ids: Iterable[int]) -> dict[int, dict[str, ClaimMark]]:
    """Worker id -> rule id -> current mark (no rights check: callers do it)."""
    ids = list(user_ids)
    found: dict[int, dict[str, ClaimMark]] = {i: {} for i in ids}
    if ids:
        for row in session.exec(select(ClaimRow).where(col(ClaimRow.user_id).in_(ids))):
            found[int(row.user_id or 0)][row.rule] = _to_mark(row)
    return found

