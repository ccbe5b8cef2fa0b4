"""Evaluation results as replies: claimable first, then open items, near misses, the 'why' screen."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.core.questions import question_for_fact
from bot.core.render import has_text, render, text
from bot.core.replies import Button, Reply, pack

if TYPE_CHECKING:
    from bot.core.result import Result

OPEN_STATUSES = ("active", "claim_window")
DAYS_LEFT_SHOWN = 60
BUTTON_TITLE = 14
MARKS = {"met": "✓", "unmet": "✗", "unknown": "?"}


def as_date(value: date | str | None) -> date | None:
    """A date from a date or an ISO string."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def amount_text(result: Result) -> str:
    """``3000元``, ``每月500元``, ``最多1500元``, or the 'set locally' sentence."""
    amount = result.amount
    if not amount or amount.get("yuan") is None:
        return result.amount_note or text("result.amount_local")
    return text("result.amount", yuan=amount["yuan"], per=amount.get("per", "once"),
                up_to=bool(amount.get("up_to")))


def deadline_text(result: Result, as_of: date) -> str:
    """``2026年12月31日前申请（还剩39天）``, or "" without a deadline."""
    deadline = as_date(result.claim_deadline)
    if deadline is None:
        return ""
    left = (deadline - as_of).days
    return text("result.deadline", deadline=deadline, left=left if left < DAYS_LEFT_SHOWN else None)


def why_button(result: Result) -> Button:
    """The 'why' button of one subsidy (long titles shortened for a phone screen)."""
    title = result.title if len(result.title) <= BUTTON_TITLE else result.title[:BUTTON_TITLE - 1] + "…"
    return Button(text("interview.why_button", title=title), f"why:{result.id}"[:64])


def claimable_item(result: Result, as_of: date) -> str:
    """One claimable subsidy: amount, deadline, how to claim, what to bring."""
    how = result.how_to_claim or ""
    bring = [item for item in (result.bring or []) if item not in how]
    return render("result_item", title=result.title, amount=amount_text(result),
                  deadline=deadline_text(result, as_of), how=how, bring=bring, note=result.note or "")


def open_item(result: Result, state: dict[str, Any]) -> str:
    """A subsidy that needs one more answer."""
    asks = []
    for fact in result.missing_facts:
        question = question_for_fact(fact)
        if question and question.key not in asks:
            asks.append(question.key)
    questions = [text(f"question.{k}", city=state["facts"].get("work_city") or text("interview.here"))
                 for k in asks]
    checks = [c.reason for c in result.conditions if c.status == "unknown" and not c.facts]
    return render("result_open", title=result.title, amount=amount_text(result), questions=questions,
                  checks=checks)


def gaps_of(result: Result) -> list[dict[str, Any]]:
    """What is missing for a subsidy that fails only on gaps (empty when something else fails)."""
    unmet = [c for c in result.conditions if c.status == "unmet"]
    if not unmet or any(c.gap is None for c in unmet):
        return []
    return [{"gap": c.gap, "crosses_on": as_date(c.crosses_on)} for c in unmet]


def last_qualifying_day(result: Result) -> date | None:
    """The last day the conditions may still be met: the period end (None when open-ended)."""
    return as_date(getattr(result, "period_end", None))


def near_miss(result: Result) -> list[dict[str, Any]]:
    """The gaps of a subsidy still in force that the person can close in time (else [])."""
    gaps = gaps_of(result)
    end = last_qualifying_day(result)
    if not gaps or result.status != "active":
        return []
    if end and any(g["crosses_on"] and g["crosses_on"] > end for g in gaps):
        return []
    return gaps


def too_late(result: Result) -> bool:
    """A subsidy failed only on gaps that can no longer be closed inside its period."""
    return (result.eligible is False and result.status in OPEN_STATUSES and bool(gaps_of(result))
            and not near_miss(result) and last_qualifying_day(result) is not None)


def near_item(result: Result, gaps: list[dict[str, Any]]) -> str:
    """``再缴1个月社保 → 3000元``."""
    lines = [_gap_text(g) for g in gaps]
    when = max((g["crosses_on"] for g in gaps if g["crosses_on"]), default=None)
    return render("result_near", title=result.title, amount=amount_text(result), gaps=lines, when=when)


def _gap_text(gap: dict[str, Any]) -> str:
    """``再缴1个月社保`` for one gap."""
    fact, need = gap["gap"].get("fact"), gap["gap"].get("need")
    return text(f"near.{fact}" if fact and has_text(f"near.{fact}") else "near.default", need=need)


CLAIMS_BUTTON = "clm:me"   # the claims flow's own data (bot.flows.data.CLAIMS_OWN)


def results_replies(results: list[Result], state: dict[str, Any], as_of: date, can_remind: bool) -> list[Reply]:
    """The result screen, split at item boundaries; action buttons on the last reply."""
    claimable = [r for r in results if r.claimable]
    pending = [r for r in results if r.eligible is None and r.status in OPEN_STATUSES]
    near = [(r, near_miss(r)) for r in results
            if r.eligible is False and r.status in OPEN_STATUSES and near_miss(r)]
    late = [r for r in results if too_late(r)]
    ended = list(dict.fromkeys(r.title for r in results
                               if r.status not in OPEN_STATUSES and r.eligible is not False))
    items: list[tuple[str, list[Button]]] = [(render("result_head", count=len(claimable)), [])]
    items += [(claimable_item(r, as_of), [why_button(r)]) for r in claimable]
    if pending:
        items.append((text("result.open_head"), []))
        items += [(open_item(r, state), []) for r in pending]
    if near:
        items.append((text("result.near_head"), []))
        items += [(near_item(r, gaps), [why_button(r)]) for r, gaps in near]
    if late:
        items += [(text("result.too_late", title=r.title, gaps=[_gap_text(g) for g in gaps_of(r)],
                        end=last_qualifying_day(r)), [why_button(r)]) for r in late]
    met_late = [r for r in results if r.eligible and not r.claimable and r.status in OPEN_STATUSES]
    items += [(text("result.met_too_late", title=r.title, end=last_qualifying_day(r)), [why_button(r)])
              for r in met_late]
    if ended:
        items.append((text("result.some_ended", titles=ended), []))
    items.append((text("result.tail" if claimable or near else "result.tail_none"), []))
    replies = pack(items)
    actions = [Button(text("interview.review_button"), "review"),
               Button(text("interview.restart_button"), "restart")]
    if can_remind:
        replies[-1].buttons.append([Button(text("interview.remind_button"), "remind")])
    if claimable:   # 记录申领情况: the claims flow (bot.flows.claims) owns this button
        replies[-1].buttons.append([Button(text("claims.button"), CLAIMS_BUTTON)])
    replies[-1].buttons.append(actions)
    return replies


def why_reply(result: Result, doc_title: Callable[[str], str]) -> Reply:
    """Each condition (✓ ✗ ?) and the quoted clause with document title and clause id."""
    conditions = [{"mark": MARKS.get(c.status, "?"), "reason": c.reason} for c in result.conditions]
    citation = result.citation or {}
    body = render("why", title=result.title, conditions=conditions,
                  doc_title=doc_title(citation.get("doc", "")), clause=citation.get("clause", ""),
                  quote=citation.get("quote", ""), note=result.note or "")
    return Reply(body, [[Button(text("interview.results_button"), "results")]])
