"""The worker's interview, run by their coordinator on their behalf; the state stays with the record."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.core.render import text
from bot.staff.access import owned
from bot.staff.audit import record
from bot.staff.context import StaffContext
from bot.staff.models import stored_id
from bot.storage import assessments


def interview_step(ctx: StaffContext, coordinator_id: int, applicant_id: int, *, as_of: date,
                   text_in: str | None = None, button: str | None = None,
                   ref: str | None = None) -> Any:
    """One input of the applicant's interview: /start (neither given), typed text, or a button.

    Returns the conversation core's ``Turn`` for the coordinator: accepted reminders become the
    coordinator's own, each naming the applicant (the adapter stores them for the coordinator's
    chat); other events (a subscription) concern the applicant, who is not here, and are dropped.
    """
    from bot.core import conversation

    with ctx.transaction() as session:
        row = owned(session, ctx, coordinator_id, applicant_id, "applicant.interview")
        first = _first_state(row)
        state = dict(row.state or {}) or first
        if ref and row.last_ref == ref:   # this input was applied before a crash: show, not redo
            return _for_coordinator(conversation.resume(state, as_of=as_of), stored_id(row.id),
                                    row.name)
        if button is not None:
            turn = conversation.handle_button(state, button, as_of=as_of)
        elif text_in is not None:
            turn = conversation.handle_text(state, text_in, as_of=as_of)
        else:
            turn = conversation.start(state, as_of=as_of)
            if not _answered_since(state, first):  # only the county the coordinator entered
                turn = replace(turn, replies=conversation.start(None, as_of=as_of).replies)
        row.state, row.updated_at = turn.state, ctx.now()
        if ref:
            row.last_ref = ref
        session.add(row)
        record(session, ctx, coordinator_id, "applicant.interview", f"applicant:{row.id}")
        _record_results(session, turn, stored_id(row.id))
        return _for_coordinator(turn, stored_id(row.id), row.name)


def _record_results(session: Any, turn: Any, applicant_id: int) -> None:
    """Keep the results the turn showed (rules version, day, claims) with the applicant's record
    (the rules version's files are kept when the storage opens: ``SqlStorage``)."""
    for event in turn.events:
        if event.get("type") == "results":
            found = assessments.from_event(assessments.applicant_subject(applicant_id), event)
            if found is not None:
                assessments.record(session, found)


def _for_coordinator(turn: Any, applicant_id: int, name: str) -> Any:
    """The turn with reminders addressed to the coordinator about the applicant, nothing else."""
    events, replies = [], list(turn.replies)
    for event in turn.events:
        if event.get("type") != "reminders_accepted":
            continue
        plans = [{**plan, "rule_id": f"{plan.get('rule_id', '')}@applicant:{applicant_id}",
                  "text": text("staff.behalf.reminder", name=name, text=plan.get("text", ""))}
                 for plan in event.get("reminders", [])]
        events.append({**event, "reminders": plans})
        dates = sorted({date.fromisoformat(str(plan["due"])) for plan in plans})
        replies = [replace(replies[0], text=text("staff.behalf.reminders_saved", name=name,
                                                  dates=dates))]
    return replace(turn, events=events, replies=replies)


def _answered_since(state: dict | None, first: dict | None) -> bool:
    """Whether the interview holds answers beyond those it started with (a resume is worth saying)."""
    state, first = state or {}, first or {}
    return (state.get("answers") or []) != (first.get("answers") or []) or bool(state.get("skipped"))


def _first_state(row: Any) -> dict | None:
    """The applicant's first interview state: the home county the coordinator entered is known."""
    from bot.core.interview import state_with_home

    county = getattr(row, "county", None)
    if not county:
        return None
    province, city = getattr(row, "province", None), getattr(row, "city", None)
    full = " ".join(dict.fromkeys(part for part in (province, city, county) if part))
    return state_with_home(full, county)
