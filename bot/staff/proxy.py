"""The worker's interview, run by their coordinator on their behalf; the state stays with the record."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.staff.access import owned
from bot.staff.audit import record
from bot.staff.context import StaffContext


def interview_step(ctx: StaffContext, coordinator_id: int, applicant_id: int, *, as_of: date,
                   text_in: str | None = None, button: str | None = None) -> Any:
    """One input of the applicant's interview: /start (neither given), typed text, or a button.

    Returns the conversation core's ``Turn`` with its events dropped: reminder and
    subscription offers concern the applicant, who is not in this chat.
    """
    from bot.core import conversation

    with ctx.transaction() as session:
        row = owned(session, ctx, coordinator_id, applicant_id, "applicant.interview")
        first = _first_state(row)
        state = dict(row.state or {}) or first
        if button is not None:
            turn = conversation.handle_button(state, button, as_of=as_of)
        elif text_in is not None:
            turn = conversation.handle_text(state, text_in, as_of=as_of)
        else:
            turn = conversation.start(state, as_of=as_of)
            if not _answered_since(state, first):  # only the county the coordinator entered
                turn = replace(turn, replies=conversation.start(None, as_of=as_of).replies)
        row.state, row.updated_at = turn.state, ctx.now()
        session.add(row)
        record(session, ctx, coordinator_id, "applicant.interview", f"applicant:{row.id}")
        return replace(turn, events=[])


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
