"""HR staff and admins: /fair (a job-fair draft, previewed, sent or scheduled), /fairs, /stats.

The draft is the flow's state in the chat record (six answers, each time shown back; a typed
time is resolved by ``bot.broadcast.fair_when`` and confirmed with its weekday), so it survives
a restart like any other flow. The fair itself is stored in the outbox only at the preview
(status ``draft``); 立即发送 enqueues its recipients, 定时发送 asks the send time. Sending is the
paced sender's job (the channel runs it); a ``fair_progress`` event asks the channel to open the
progress message the delivery loop keeps up to date.
"""
from __future__ import annotations

import functools
from collections import Counter
from datetime import datetime
from typing import Any

from bot.broadcast import Fair, Outbox
from bot.broadcast.fair_input import resolve_targets
from bot.broadcast.fair_when import resolve_when, shown_when
from bot.broadcast.message import compose, progress_text
from bot.core.errors import InputError
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import render, text
from bot.core.replies import Button, Reply
from bot.flows import data
from bot.flows.deps import Deps, deps_of
from bot.staff import ADMIN, STAFF, Grant, PermissionDenied, StaffContext, require, role_of
from bot.staff.audience import fair_recipients
from bot.staff.audit import record
from bot.staff.models import stored_id
from bot.staff.stats import Tally, tally
from bot.storage import Storage

STEPS = ("title", "starts_at", "place", "organiser", "targets", "details")
TIMES = ("starts_at", "send_at")
CONFIRM = "confirm:"   # step prefix: a resolved time shown back, waiting for 对 or a retype
YES = frozenset({"对", "对的", "是", "是的", "好", "好的", "确定", "没错", "嗯"})
LIMITS = {"title": 100, "place": 300, "organiser": 100, "details": 1000}
UNSENT = ("draft", "scheduled")
FAIR_ROLES = frozenset({STAFF, ADMIN})


def allowed(ctx: StaffContext, user_id: int, action: str, target: str = "",
            detail: dict[str, Any] | None = None) -> Grant:
    """The staff/admin grant of the user (checked on every input); audited when ``target`` given."""
    with ctx.transaction() as session:
        grant = require(session, ctx, user_id, STAFF, ADMIN, action=action)
        if target:
            record(session, ctx, user_id, action, target, detail)
        return grant


def begin_fair(outbox: Outbox, storage: Storage, fair: Fair) -> dict[str, int] | None:
    """Enqueue a fair's recipients; its delivery counts, or None when it was cancelled first."""
    fair_id = stored_id(fair.id)
    outbox.enqueue(fair_id, fair_recipients(storage, fair.target_counties))
    latest = outbox.get_fair(fair_id)
    if latest is not None and latest.status == "cancelled":
        return None
    return outbox.progress(fair_id)


def _outbox(deps: Deps) -> Outbox:
    """The fair outbox; a channel without one answers that fairs are not available."""
    if deps.outbox is None:
        raise InputError(text("fairs.off"), "no outbox configured")
    outbox: Outbox = deps.outbox
    return outbox


def _scope_text(grant: Grant) -> str:
    return "、".join((*grant.counties, *grant.cities)) or text("fairs.all_places")


def _quit_row() -> list[Button]:
    return [Button(text("fairs.button.cancel"), data.FAIR_QUIT)]


def _question(step: str, grant: Grant) -> Reply:
    """The question of ``step``, with 取消."""
    return Reply(text(f"fairs.ask.{step}", places=_scope_text(grant)), [_quit_row()])


def _confirm(moment: datetime, past: bool) -> Reply:
    """A resolved time shown back (weekday included), for 对 or a retype."""
    key = "fairs.confirm_when_past" if past else "fairs.confirm_when"
    ok = text("fairs.button.when_past_ok" if past else "fairs.button.when_ok")
    return Reply(text(key, when=shown_when(moment)),
                 [[Button(ok, data.FAIR_WHEN_OK),
                   Button(text("fairs.button.when_retype"), data.FAIR_WHEN_RETYPE)], _quit_row()])


class FairFlow(FlowBase):
    """/fair: title, start, place, organiser, target counties, details; preview; send or schedule."""

    name = "fair_draft"
    commands: tuple[str, ...] = ("/fair",)
    prefix = data.FAIR
    roles = FAIR_ROLES

    def reads_questions(self, state: dict[str, Any]) -> bool:
        """A fair's title or details may read like a question: they are the draft's answers."""
        return True

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        """The open question again with its buttons (after a photo or a sticker)."""
        deps = deps_of(env)
        step = str(state.get("step", ""))
        if deps.staff is None or deps.outbox is None or not step:
            return []
        if step.startswith(CONFIRM):
            moment = datetime.fromisoformat(state["fields"]["pending"])
            return [_confirm(moment, moment < deps.outbox.clock.now())]
        return [_question(step, role_of(deps.staff, env.user_id))]

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        try:
            outbox = _outbox(deps)
            if inp.kind == "command":
                grant = allowed(deps.staff_ctx(), inp.user_id, "fair.create")
                return Step([_question(STEPS[0], grant)], {"step": STEPS[0], "fields": {}})
            if inp.kind == "button":
                return self._button(env, outbox, state, inp)
            grant = allowed(deps.staff_ctx(), inp.user_id, "fair.create")
        except PermissionDenied as refused:   # the role was taken away mid-draft: chat freed
            return Step([Reply(refused.zh)], None)
        if inp.kind != "text" or not state.get("step"):
            return Step(self.prompt(env, state), state or None)
        return self._typed(env, outbox, grant, state, inp.text)

    # -- typed answers ------------------------------------------------------------------------

    def _typed(self, env: Env, outbox: Outbox, grant: Grant, state: dict[str, Any],
               typed: str) -> Step:
        """A typed answer to the open question (a refused value: said, the draft kept)."""
        step, fields = str(state["step"]), dict(state.get("fields") or {})
        if step.startswith(CONFIRM):
            if typed.strip() in YES:
                return self._accept(env, outbox, grant, step, fields)
            step = step.removeprefix(CONFIRM)   # a retyped time replaces the one shown
            fields.pop("pending", None)
        if step in TIMES:
            when = resolve_when(typed, outbox.clock.now())
            if step == "send_at" and when.past:
                raise InputError(text("fairs.bad.send_past", when=shown_when(when.moment)),
                                 f"send time past: {typed}")
            return Step([_confirm(when.moment, when.past)],
                        {"step": CONFIRM + step, "fields": fields | {"pending": when.moment.isoformat()}})
        value = self._answer(env, grant, step, typed)
        return self._advance(env, outbox, grant, step, fields | {step: value})

    @staticmethod
    def _answer(env: Env, grant: Grant, step: str, answer: str) -> str | list[str]:
        """The stored value of one answer other than a time (InputError when it will not do)."""
        answer = answer.strip()
        if not answer:
            raise InputError(text("fairs.bad.empty"), "empty")
        if step == "targets":
            ctx = deps_of(env).staff_ctx()
            return resolve_targets(answer, grant.counties, grant.cities, grant.role == ADMIN,
                                   ctx.resolve_county)
        if step == "details" and answer == text("fairs.none_word"):
            return ""
        if len(answer) > LIMITS[step]:
            raise InputError(text("fairs.bad.long", n=LIMITS[step]), "too long")
        return answer

    def _accept(self, env: Env, outbox: Outbox, grant: Grant, step: str,
                fields: dict[str, Any]) -> Step:
        """对: the time shown back is taken."""
        step = step.removeprefix(CONFIRM)
        pending = fields.pop("pending")
        return self._advance(env, outbox, grant, step, fields | {step: pending})

    def _advance(self, env: Env, outbox: Outbox, grant: Grant, step: str,
                 fields: dict[str, Any]) -> Step:
        """After ``step`` was answered: the next question, the schedule, or the preview."""
        if step == "send_at":
            return self._schedule(env, outbox, fields)
        following = STEPS.index(step) + 1
        if following < len(STEPS):
            return Step([_question(STEPS[following], grant)],
                        {"step": STEPS[following], "fields": fields})
        return self._preview(env, outbox, fields)

    def _preview(self, env: Env, outbox: Outbox, fields: dict[str, Any]) -> Step:
        """Store the fair (status draft) and show it exactly as workers will see it."""
        deps = deps_of(env)
        fair = outbox.create_fair(
            title=fields["title"], starts_at=datetime.fromisoformat(fields["starts_at"]),
            place_or_link=fields["place"], organiser=fields["organiser"],
            target_counties=fields["targets"], details=fields["details"], created_by=env.user_id)
        allowed(deps.staff_ctx(), env.user_id, "fair.create", f"fair:{fair.id}",
                {"counties": fields["targets"]})
        reach = len(fair_recipients(deps.storage, fair.target_counties))
        choices = [Button(text("fairs.button.send"), f"{data.FAIR_SEND}{fair.id}"),
                   Button(text("fairs.button.schedule"), f"{data.FAIR_SCHEDULE}{fair.id}"),
                   Button(text("fairs.button.cancel"), f"{data.FAIR_CANCEL}{fair.id}")]
        return Step([Reply(text("fairs.preview_head")), Reply(compose(fair)),
                     Reply(text("fairs.reach", n=reach), [choices])])

    def _schedule(self, env: Env, outbox: Outbox, fields: dict[str, Any]) -> Step:
        """Schedule the fair named in the state at the time just confirmed."""
        fair = outbox.get_fair(int(fields["fair_id"]))
        if fair is None or fair.status != "draft":
            return Step([Reply(text("fairs.stale"))])
        when = datetime.fromisoformat(fields["send_at"])
        allowed(deps_of(env).staff_ctx(), env.user_id, "fair.schedule", f"fair:{fair.id}",
                {"send_at": fields["send_at"]})
        outbox.set_fair_status(stored_id(fair.id), "scheduled", send_at=when)
        return Step([Reply(text("fairs.scheduled", when=shown_when(when)))])

    # -- buttons --------------------------------------------------------------------------------

    def _button(self, env: Env, outbox: Outbox, state: dict[str, Any], inp: Input) -> Step:
        """取消 under a question, 对 / 重新输入 under a time, or the choices under a preview."""
        deps = deps_of(env)
        grant = allowed(deps.staff_ctx(), inp.user_id, "fair.button")
        if inp.text == data.FAIR_QUIT:
            return Step([Reply(text("fairs.cancelled"))])
        step = str(state.get("step", ""))
        if inp.text in (data.FAIR_WHEN_OK, data.FAIR_WHEN_RETYPE):
            if not step.startswith(CONFIRM):
                return Step([Reply(text("telegram.stale_button"))], state or None)
            fields = dict(state.get("fields") or {})
            if inp.text == data.FAIR_WHEN_OK:
                return self._accept(env, outbox, grant, step, fields)
            fields.pop("pending", None)
            retyped = step.removeprefix(CONFIRM)
            return Step([_question(retyped, grant)], {"step": retyped, "fields": fields})
        action, _, ref = inp.text.removeprefix(data.FAIR).partition(":")
        fair = outbox.get_fair(int(ref)) if ref.isdigit() else None
        if fair is None or fair.status != "draft" or (
                fair.created_by != inp.user_id and grant.role != ADMIN):
            return Step([Reply(text("fairs.stale"))])
        target = f"fair:{fair.id}"
        if action == "send":
            allowed(deps.staff_ctx(), inp.user_id, "fair.send", target)
            return self._send(deps, outbox, fair, inp.chat_id or inp.user_id)
        if action == "sched":
            return Step([Reply(text("fairs.ask.send_at"), [_quit_row()])],
                        {"step": "send_at", "fields": {"fair_id": fair.id}})
        if action == "cancel":
            allowed(deps.staff_ctx(), inp.user_id, "fair.cancel", target)
            outbox.cancel_unsent(stored_id(fair.id))
            return Step([Reply(text("fairs.cancelled"))])
        return Step([Reply(text("telegram.stale_button"))])

    @staticmethod
    def _send(deps: Deps, outbox: Outbox, fair: Fair, chat_id: int) -> Step:
        """立即发送: enqueue the recipients; the channel opens the progress message."""
        counts = begin_fair(outbox, deps.storage, fair)
        if counts is None:
            return Step([Reply(text("fairs.stale"))])
        if counts["total"] == 0:
            return Step([Reply(text("fairs.nobody"))])
        progress = {"type": "fair_progress", "fair_id": stored_id(fair.id), "chat_id": chat_id,
                    "text": progress_text(fair, counts)}
        return Step([Reply(text("fairs.started", n=counts["total"]))], events=[progress])


def _list_item(outbox: Outbox, fair: Fair) -> str:
    """One fair of the list: title, status, start, send time when scheduled, delivery counts."""
    send_at = shown_when(fair.send_at) if fair.status == "scheduled" and fair.send_at else ""
    return text("fairs.list_item", id=fair.id, title=fair.title, starts_at=shown_when(fair.starts_at),
                status=text(f"fairs.status.{fair.status}"), send_at=send_at,
                **outbox.progress(stored_id(fair.id)))


class FairListFlow(FlowBase):
    """/fairs: the latest fairs with their send time and reach; 取消 (asked first) for a scheduled one.

    The outbox cancels only a fair that has not started, so a cancelled fair never gets
    recipients (``Outbox.cancel_unsent`` and ``Outbox.enqueue``).
    """

    name = "fair_list"
    commands: tuple[str, ...] = ("/fairs",)
    prefix = data.FAIR_LIST
    roles = FAIR_ROLES

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        outbox = _outbox(deps)
        if inp.kind != "button":
            grant = allowed(deps.staff_ctx(), inp.user_id, "fair.list")
            fairs = outbox.fairs(None if grant.role == ADMIN else inp.user_id)
            buttons = [[Button(text("fairs.button.unschedule", id=f.id), f"{data.FAIR_LIST_ASK}{f.id}")]
                       for f in fairs if f.status == "scheduled"]
            body = "\n\n".join(_list_item(outbox, f) for f in fairs) or text("fairs.list_empty")
            return Step([Reply(body, buttons)])
        grant = allowed(deps.staff_ctx(), inp.user_id, "fair.button")
        action, _, ref = inp.text.removeprefix(data.FAIR_LIST).partition(":")
        fair = outbox.get_fair(int(ref)) if ref.isdigit() else None
        if fair is not None and (fair.status not in UNSENT or (
                fair.created_by != inp.user_id and grant.role != ADMIN)):
            fair = None   # not theirs, or already sending: too late
        if action == "keep":
            return Step([Reply(text("fairs.kept"))])
        if fair is None:
            return Step([Reply(text("fairs.too_late"))])
        if action == "ask":
            when = shown_when(fair.send_at) if fair.send_at else ""
            return Step([Reply(text("fairs.confirm_cancel", title=fair.title, when=when), [[
                Button(text("fairs.button.cancel_yes"), f"{data.FAIR_LIST_YES}{fair.id}"),
                Button(text("fairs.button.cancel_no"), f"{data.FAIR_LIST_KEEP}{fair.id}")]])])
        if action == "yes":
            allowed(deps.staff_ctx(), inp.user_id, "fair.cancel", f"fair:{fair.id}")
            cancelled = outbox.cancel_unsent(stored_id(fair.id))
            return Step([Reply(text("fairs.cancelled" if cancelled else "fairs.too_late"))])
        return Step([Reply(text("telegram.stale_button"))])


def _reach(outbox: Outbox | None, grant: Grant) -> dict[str, int]:
    """Fairs and their delivery totals (own fairs; admins: all); zeros without an outbox."""
    fairs = [] if outbox is None else outbox.fairs(None if grant.role == ADMIN else grant.user_id,
                                                   limit=1000)
    total = Counter({"fairs": len(fairs)})
    for fair in fairs:
        assert outbox is not None
        total.update(outbox.progress(stored_id(fair.id)))
    return {key: total[key] for key in ("fairs", "sent", "failed", "blocked", "uncertain", "left")}


def stats_text(counts: Tally, outbox: Outbox | None, grant: Grant, as_of: Any) -> str:
    """The compact table staff read in the chat: interviews, subsidies by county and policy,
    how far the claims got (uptake), fairs."""
    counties = [(c, counts.people[c], counts.counties[c])
                for c in sorted(counts.people, key=lambda c: -counts.people[c])]
    policies = sorted(counts.policies.items(), key=lambda item: -item[1].claims)
    uptake_counties, uptake_policies = counts.uptake_lists()
    return render("fair_stats", as_of=as_of, people=sum(counts.people.values()),
                  counties=counties, policies=policies, reach=_reach(outbox, grant),
                  uptake_counties=uptake_counties, uptake_policies=uptake_policies)


def stats_chart_event(counts: Tally, as_of: Any) -> list[dict[str, Any]]:
    """The /stats picture as a photo to send (none when there is nothing to draw)."""
    from bot.staff.stats import chart_data
    from bot.staff.stats_chart import stats_chart_png

    data = chart_data(counts, as_of)
    if not data.counties and not data.deadlines:
        return []
    return [{"type": "send_file", "name": "stats.png", "make": functools.partial(stats_chart_png, data),
             "photo": True,
             "caption": text("chart.caption", as_of=as_of)}]


class StatsFlow(FlowBase):
    """/stats: interviews, claimable subsidies and broadcasts of the staff's places (audited)."""

    name = "stats"
    commands: tuple[str, ...] = ("/stats",)
    roles = FAIR_ROLES

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        grant = allowed(deps.staff_ctx(), inp.user_id, "stats.read", "stats")
        counts = tally(deps.staff_ctx(), grant, env.as_of)
        return Step([Reply(stats_text(counts, deps.outbox, grant, env.as_of))],
                    events=stats_chart_event(counts, env.as_of))
