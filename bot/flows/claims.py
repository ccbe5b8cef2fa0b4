"""记录申领情况: what became of each subsidy (已申请 / 已到账 / 被拒 / 不想申请), by the worker
himself or by the coordinator for an applicant. A mark stops the reminders of that subsidy."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from bot.core.errors import InputError
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import text
from bot.core.replies import Button, Reply
from bot.flows import data
from bot.flows.deps import deps_of
from bot.staff import COORDINATOR, get_applicant
from bot.staff.assessment import facts_of
from bot.staff.claims import (
    APPLIED,
    DECLINED,
    RECEIVED,
    REJECTED,
    ClaimMark,
    Subject,
    claims_of,
    mark_claim,
    mark_text,
    rule_title,
    status_label,
    undo_claim,
)

STATUSES = (APPLIED, RECEIVED, REJECTED, DECLINED)
RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
DAY = re.compile(r"^(?:(\d{4})[年.\-/])?(\d{1,2})[月.\-/](\d{1,2})[日号]?$")


def typed_day(typed: str, as_of: date) -> date:
    """今天 / 昨天 / 11月20日 / 2026年11月20日 / 11.20 -> a day (this year when none is given)."""
    word = re.sub(r"\s+", "", typed).rstrip("。.")
    if word in RELATIVE_DAYS:
        return as_of - timedelta(days=RELATIVE_DAYS[word])
    found = DAY.match(word)
    if found:
        year, month, day = (int(found[1]) if found[1] else as_of.year), int(found[2]), int(found[3])
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise InputError(text("claims.bad_day"), f"not a day: {typed[:40]!r}")


class ClaimsFlow(FlowBase):
    """The list of subsidies, then one subsidy's step, then its date, amount or reason."""

    name = "claims"
    commands: tuple[str, ...] = ("/claims",)
    prefix = data.CLAIMS

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        if inp.kind == "command" or inp.text == data.CLAIMS_OWN:
            return self._start(env, inp, None)
        if inp.text.startswith(data.CLAIMS_FOR):
            rest = inp.text.removeprefix(data.CLAIMS_FOR)
            if not rest.isdigit() or env.role != COORDINATOR:
                return Step([Reply(text("staff.denied"))])
            return self._start(env, inp, int(rest))
        if not state.get("rules"):
            return Step([Reply(text("telegram.stale_button"))])
        if inp.kind == "button":
            return self._tap(env, state, inp)
        return self._typed(env, state, inp)

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        step = state.get("step")
        if step in ("date", "amount", "reason"):
            return [self._ask(step)]
        if step == "status":
            return [self._statuses(env, state)]
        return [self._list(env, state)]

    # -- steps --------------------------------------------------------------------------------

    def _start(self, env: Env, inp: Input, applicant: int | None) -> Step:
        """The subsidies the person can claim now, and those already marked."""
        deps = deps_of(env)
        ctx = deps.staff_ctx()
        if applicant is None:
            subject, facts = Subject.worker(inp.user_id), dict((env.record or {}).get("facts") or {})
        else:
            person = get_applicant(ctx, inp.user_id, applicant)
            subject, facts = Subject.applicant(applicant), facts_of(person.state, person.county)
        try:
            results = ctx.evaluate(facts, env.as_of) if facts else []
        except InputError:
            results = []
        marks = claims_of(ctx, inp.user_id, subject)
        rules = [r.id for r in results if r.claimable is True and r.beneficiary == "worker"]
        rules += [rule for rule in sorted(marks) if rule not in rules]
        if not rules:
            return Step([Reply(text("claims.none"))])
        state = {"subject": [subject.user_id, subject.applicant_id], "rules": rules, "step": "list"}
        return Step([self._list(env, state, marks)], state)

    def _tap(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        kind, _, rest = inp.text.removeprefix(self.prefix).partition(":")
        if kind == "x":
            return Step([Reply(text("claims.closed"))])
        if kind == "l":
            return Step([self._list(env, state)], {**state, "step": "list"})
        if kind == "r" and rest.isdigit() and int(rest) < len(state["rules"]):
            state = {**state, "step": "status", "rule": int(rest)}
            return Step([self._statuses(env, state)], state)
        if kind == "s" and rest in STATUSES and "rule" in state:
            if rest == DECLINED:
                return self._mark(env, state, DECLINED)
            step = {APPLIED: "date", RECEIVED: "amount", REJECTED: "reason"}[rest]
            return Step([self._ask(step)], {**state, "step": step, "status": rest})
        if kind == "k" and state.get("step") in ("date", "amount", "reason"):
            return self._mark(env, state, str(state["status"]))
        if kind == "u" and "rule" in state:
            ctx = deps_of(env).staff_ctx()
            back = undo_claim(ctx, env.user_id, self._subject(state), self._rule(state))
            said = text("claims.undone", title=rule_title(self._rule(state)), mark=mark_text(back))
            return Step([Reply(said), self._list(env, state)], {**state, "step": "list"})
        return Step([Reply(text("telegram.stale_button"))], state)

    def _typed(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        step = state.get("step")
        if step == "date":
            return self._mark(env, state, APPLIED, on=typed_day(inp.text, env.as_of))
        if step == "amount":
            return self._mark(env, state, RECEIVED, amount=inp.text)
        if step == "reason":
            return self._mark(env, state, REJECTED, reason=inp.text)
        return Step(passed=True, state=state)   # the list waits for a tap: text is the worker's own

    def _mark(self, env: Env, state: dict[str, Any], status: str, **given: Any) -> Step:
        """Record the mark (the service checks the values and who may mark) and say it back."""
        ctx = deps_of(env).staff_ctx()
        rule = self._rule(state)
        mark = mark_claim(ctx, env.user_id, self._subject(state), rule, status, as_of=env.as_of,
                          **given)
        said = text("claims.marked", title=rule_title(rule), mark=mark_text(mark),
                    quiet=mark.stops_reminders)
        state = {k: v for k, v in state.items() if k not in ("status", "rule")} | {"step": "list"}
        return Step([Reply(said), self._list(env, state)], state)

    # -- screens ------------------------------------------------------------------------------

    def _list(self, env: Env, state: dict[str, Any],
              marks: dict[str, ClaimMark] | None = None) -> Reply:
        if marks is None:
            marks = claims_of(deps_of(env).staff_ctx(), env.user_id, self._subject(state))
        rows = [[Button(text("claims.item", title=rule_title(rule), mark=mark_text(marks.get(rule))),
                        f"{self.prefix}r:{index}")] for index, rule in enumerate(state["rules"][:20])]
        rows.append([Button(text("claims.close"), f"{self.prefix}x")])
        return Reply(text("claims.pick"), rows)

    def _statuses(self, env: Env, state: dict[str, Any]) -> Reply:
        rule = self._rule(state)
        mark = claims_of(deps_of(env).staff_ctx(), env.user_id, self._subject(state)).get(rule)
        buttons = [Button(status_label(s), f"{self.prefix}s:{s}") for s in STATUSES]
        rows = [buttons[:2], buttons[2:]]
        tail = [Button(text("claims.back"), f"{self.prefix}l")]
        if mark is not None:
            tail.insert(0, Button(text("claims.undo"), f"{self.prefix}u"))
        rows.append(tail)
        return Reply(text("claims.which_status", title=rule_title(rule), mark=mark_text(mark)), rows)

    def _ask(self, step: str) -> Reply:
        skip = Button(text("claims.today" if step == "date" else "claims.skip"), f"{self.prefix}k")
        return Reply(text(f"claims.ask.{step}"), [[skip]])

    @staticmethod
    def _subject(state: dict[str, Any]) -> Subject:
        user_id, applicant_id = state["subject"]
        return Subject(user_id=user_id, applicant_id=applicant_id)

    @staticmethod
    def _rule(state: dict[str, Any]) -> str:
        return str(state["rules"][int(state["rule"])])
