"""A coordinator's (or staff member's) own spreadsheet sent to the bot: checked row by row and
sent back with the added columns; a coordinator can register its people as applicants at once."""
from __future__ import annotations

from typing import Any

from bot.core.errors import InputError
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import text
from bot.core.replies import Button, Reply
from bot.flows import data
from bot.flows.deps import deps_of
from bot.staff import ADMIN, COORDINATOR, STAFF, register_applicant
from bot.staff.applicants import applicant_names, save_interview
from bot.staff.ledger_sheet import evaluate_ledger_bytes, people_in_sheet

IMPORT_LIMIT = 200   # rows registered in one confirmation (the list is kept in the chat record)


class SheetFlow(FlowBase):
    """An .xlsx in, the checked copy out; then 登记这N人 / 不用 for a coordinator."""

    name = "sheet"
    prefix = data.SHEET
    roles = frozenset({COORDINATOR, STAFF, ADMIN})
    file_types = (".xlsx", ".xlsm", ".xls")

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        if inp.kind == "file":
            return self._check(env, inp)
        if inp.kind == "button" and inp.text == data.SHEET_IMPORT and state.get("people"):
            return self._import(env, inp.user_id, list(state["people"]))
        if inp.kind == "button" and inp.text == data.SHEET_SKIP:
            return Step([Reply(text("sheet.import_skipped"))])
        return Step([Reply(text("telegram.stale_button"))], state or None)

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        count = len(state.get("people") or [])
        return [self._offer(count, 0)] if count else []

    def _check(self, env: Env, inp: Input) -> Step:
        """Evaluate every row as of today; send the copy back; offer to register the people."""
        content = inp.file or b""
        checked, report = evaluate_ledger_bytes(content, inp.file_name, env.as_of)
        unmapped = report.header.unmapped()
        said = Reply(text("sheet.checked", rows=report.rows, with_claims=report.with_claims,
                          with_problems=report.with_problems, unmapped=unmapped))
        stem = inp.file_name.rsplit(".", 1)[0] or "sheet"
        sent = {"type": "send_file", "name": f"{stem}-核对.xlsx", "data": checked,
                "caption": text("sheet.caption", as_of=env.as_of)}
        if env.role != COORDINATOR:
            return Step([said], events=[sent])
        people = people_in_sheet(content, inp.file_name)
        known = applicant_names(deps_of(env).staff_ctx(), inp.user_id)
        new = [p for p in people if p.name not in known]
        if not new:
            return Step([said], events=[sent])
        if len(new) > IMPORT_LIMIT:
            return Step([said, Reply(text("sheet.too_many", count=len(new), limit=IMPORT_LIMIT))],
                        events=[sent])
        first_row = report.header_row + 1
        facts = {first_row + n: _answers(o.facts) for n, o in enumerate(report.outcomes)}
        kept = [{"name": p.name, "phone": p.phone, "row": p.row, "facts": facts.get(p.row, {})}
                for p in new]
        return Step([said, self._offer(len(new), len(people) - len(new))], {"people": kept},
                    events=[sent])

    @staticmethod
    def _offer(count: int, skipped: int) -> Reply:
        buttons = [[Button(text("sheet.import_yes", count=count), data.SHEET_IMPORT),
                    Button(text("sheet.import_no"), data.SHEET_SKIP)]]
        return Reply(text("sheet.import_offer", count=count, skipped=skipped), buttons)

    @staticmethod
    def _import(env: Env, user_id: int, people: list[dict[str, Any]]) -> Step:
        """Register each person in the coordinator's village; a refused row is said, not lost."""
        ctx = deps_of(env).staff_ctx()
        known = applicant_names(ctx, user_id)   # a second tap adds nobody
        done, reasons = 0, []
        for person in people:
            if person["name"] in known:
                continue
            try:
                applicant = register_applicant(ctx, user_id, str(person["name"]),
                                               phone=person.get("phone") or None)
            except InputError as refused:
                reasons.append(f"第{person.get('row')}行 {person['name']}：{refused.zh}")
                continue
            if person.get("facts"):   # what the sheet says is known: the interview asks the rest
                save_interview(ctx, user_id, applicant.id, sheet_state(person["facts"]))
            known.add(person["name"])
            done += 1
        return Step([Reply(text("sheet.imported", count=done, refused=len(reasons),
                                reasons=reasons[:10]))])


# Facts the evaluator works out from others (and from the day): not kept as answers.
DERIVED = frozenset({"months_employed", "origin_city", "origin_province"})


def _answers(facts: dict[str, Any]) -> dict[str, Any]:
    """A row's readable facts as an interview keeps them (JSON: dates as ISO strings)."""
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in facts.items() if key not in DERIVED}


def sheet_state(facts: dict[str, Any]) -> dict[str, Any]:
    """An applicant's interview that starts with what the sheet says: only the rest is asked."""
    from bot.core.interview import new_state

    state = new_state()
    state["facts"].update(facts)
    return state
