"""A coordinator's flows: register an applicant (/apply), and answer on their behalf."""
from __future__ import annotations

from typing import Any

from bot.core.errors import InputError
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import text
from bot.core.replies import Button, Reply
from bot.flows import data
from bot.flows.deps import deps_of
from bot.staff import COORDINATOR, get_applicant, interview_step, register_applicant
from bot.staff.applicants import typed_name, typed_phone
from bot.staff.roles import PermissionDenied

# The interview's own buttons (bot.core.conversation.handle_button): while a coordinator answers
# for an applicant, these belong to the applicant's interview, not to the coordinator's own.
INTERVIEW_BUTTONS = frozenset({"go", "back", "review", "restart", "ok", "no", "a", "skip", "edit",
                               "results", "why", "clause", "remind"})
INTERVIEW_COMMANDS = frozenset({"/back", "/review", "/restart"})   # the interview's own commands


def link_row(applicant: Any) -> list[Button]:
    """The row with "发给本人的链接" for one applicant."""
    return [Button(text("tgstaff.list.link", name=applicant.name), f"{data.APPLICANT_LINK}{applicant.id}")]


class RegisterFlow(FlowBase):
    """/apply [姓名 [手机号]]: the name, then the phone (or 不填), then the interview on behalf."""

    name = "register_applicant"
    commands: tuple[str, ...] = ("/apply",)
    prefix = data.REGISTER
    roles = frozenset({COORDINATOR})

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        if inp.kind == "command":
            if inp.args:
                phone = typed_phone(" ".join(inp.args[1:])) if inp.args[1:] else None
                return self._register(env, inp, typed_name(inp.args[0]), phone)
            return Step([Reply(text("tgstaff.apply.ask_name"))], {"step": "name"})
        if inp.kind == "button":
            if inp.text == data.REGISTER_SKIP_PHONE and state.get("step") == "phone":
                return self._register(env, inp, str(state.get("name", "")), None)
            return Step([Reply(text("telegram.stale_button"))], state or None)
        if state.get("step") == "name":
            try:
                name = typed_name(inp.text)
            except InputError as refused:
                return Step([Reply(refused.zh)], state)
            return Step(self.prompt(env, {"step": "phone"}), {"step": "phone", "name": name})
        try:
            phone = typed_phone(inp.text)
        except InputError as refused:   # the flow stays open for another try
            return Step([Reply(refused.zh)], state)
        return self._register(env, inp, str(state.get("name", "")), phone)

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        if state.get("step") == "phone":
            skip = Button(text("tgstaff.apply.skip_phone"), data.REGISTER_SKIP_PHONE)
            return [Reply(text("tgstaff.apply.ask_phone"), [[skip]])]
        return [Reply(text("tgstaff.apply.ask_name"))]

    def _register(self, env: Env, inp: Input, name: str, phone: str | None) -> Step:
        """Register the applicant in the coordinator's village, then start their interview."""
        deps = deps_of(env)
        applicant = register_applicant(deps.staff_ctx(), inp.user_id, name, phone=phone,
                                       ref=inp.ref or None)
        done = Reply(text("tgstaff.apply.done", name=applicant.name, village=applicant.village,
                          county=applicant.county), [link_row(applicant)])
        step = start_behalf(env, inp.user_id, int(applicant.id))
        step.replies.insert(0, done)
        step.handoff = BehalfFlow.name
        return step


def start_behalf(env: Env, user_id: int, applicant_id: int) -> Step:
    """Begin answering for the applicant: where their interview stands, with 结束代办."""
    ctx = deps_of(env).staff_ctx()
    person = get_applicant(ctx, user_id, applicant_id)
    if person.coordinator_id != user_id:   # staff and admins only read applicants
        raise PermissionDenied("applicant.interview")
    turn = interview_step(ctx, user_id, applicant_id, as_of=env.as_of)
    replies = [Reply(text("tgstaff.behalf.start", name=person.name)), *_with_leave(turn.replies, applicant_id)]
    return Step(replies, {"applicant": applicant_id}, list(turn.events))


def _with_leave(replies: list[Reply], applicant_id: int) -> list[Reply]:
    """The interview's replies with a "结束代办" button under the last one; 记录申领情况 records
    the applicant's claims, not the coordinator's own."""
    leave = [Button(text("tgstaff.behalf.leave"), data.BEHALF_LEAVE)]
    shown = [Reply(r.text, [[_for_applicant(b, applicant_id) for b in row] for row in r.buttons])
             for r in replies]
    if shown:
        shown[-1].buttons.append(leave)
    return shown


def _for_applicant(button: Button, applicant_id: int) -> Button:
    """The claims button of the applicant's results, addressed to the applicant."""
    if button.data == data.CLAIMS_OWN:
        return Button(button.label, f"{data.CLAIMS_FOR}{applicant_id}")
    return button


class BehalfFlow(FlowBase):
    """The applicant's interview run by their coordinator; /done or 结束代办 ends it."""

    name = "behalf_interview"
    commands: tuple[str, ...] = ("/done",)
    prefix = data.BEHALF
    roles = frozenset({COORDINATOR})

    def owns(self, button: str, state: dict[str, Any]) -> bool:
        """Its own buttons and, while active, the applicant's interview buttons and commands."""
        return (button.startswith(self.prefix) or button.partition(":")[0] in INTERVIEW_BUTTONS
                or button in INTERVIEW_COMMANDS)

    def reads_questions(self, state: dict[str, Any]) -> bool:
        """The applicant's interview answers questions itself."""
        return True

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        """The applicant's current screen again, with 结束代办."""
        from bot.core.home import current_screen

        applicant = state.get("applicant")
        if not isinstance(applicant, int):
            return []
        deps = deps_of(env)
        try:
            person = get_applicant(deps.staff_ctx(), env.user_id, applicant)
        except InputError:
            return []
        return _with_leave(current_screen(deps.conversation, person.state or None, env.as_of),
                           applicant)

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        if (inp.kind == "command" and inp.command not in INTERVIEW_COMMANDS) \
                or inp.text == data.BEHALF_LEAVE:
            return Step([Reply(text("tgstaff.behalf.left"))], None)
        if inp.kind == "button" and inp.text.startswith(data.BEHALF_OPEN):
            rest = inp.text.removeprefix(data.BEHALF_OPEN)
            if not rest.isdigit():
                return Step([Reply(text("telegram.stale_button"))], state or None)
            return start_behalf(env, inp.user_id, int(rest))
        applicant = state.get("applicant")
        if not isinstance(applicant, int) or env.role != COORDINATOR:
            return Step(passed=True)   # the role was taken away meanwhile: his own interview
        typed = {"command": inp.command, "text": inp.text}.get(inp.kind)   # /back, /review too
        try:
            turn = interview_step(deps_of(env).staff_ctx(), inp.user_id, applicant, as_of=env.as_of,
                                  text_in=typed, button=inp.text if inp.kind == "button" else None,
                                  ref=inp.ref or None)
        except InputError as refused:   # deleted or handed to another coordinator meanwhile
            return Step([Reply(refused.zh)], None)
        return Step(_with_leave(turn.replies, applicant), state, list(turn.events))
