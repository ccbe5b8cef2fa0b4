"""/start (with an invite, an applicant link or a campaign payload) and /help for every role."""
from __future__ import annotations

from typing import Any

from bot.core.errors import InputError
from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import text
from bot.core.replies import Reply
from bot.flows.deps import deps_of
from bot.staff import (
    ADMIN,
    COORDINATOR,
    STAFF,
    WORKER,
    is_invite_token,
    is_link_token,
    redeem_invite,
    redeem_link,
    welcome_text,
)

# The commands of each role, in the order /help lists them (the worker's own come after).
ROLE_COMMANDS = {
    ADMIN: ("invite", "invites", "roles", "applicants", "ledger", "fair", "fairs", "stats",
            "campaign"),
    STAFF: ("applicants", "ledger", "fair", "fairs", "stats", "campaign"),
    COORDINATOR: ("apply", "applicants", "service", "ledger", "notice", "done"),
    WORKER: (),
}


def help_text(role: str) -> str:
    """The commands of a privileged role, one per line, with the worker's own at the end."""
    lines = [text("tgstaff.help.head", role=text(f"staff.role.{role}"))]
    lines += [text("tgstaff.help.line", command=name, words=text(f"tgstaff.command.{name}"))
              for name in ROLE_COMMANDS[role]]
    lines.append(text("tgstaff.help.worker"))
    return "\n".join(lines)


class StartFlow(FlowBase):
    """/start: an invite or applicant link is redeemed; otherwise the interview's welcome."""

    name = "start"
    commands: tuple[str, ...] = ("/start",)

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        deps = deps_of(env)
        payload = inp.args[0][:64] if inp.args else None
        if deps.staff is not None and is_invite_token(payload):
            return self._redeem(env, inp, payload or "")
        deps.storage.upsert_user(inp.user_id, inp.chat_id or inp.user_id, inp.name, payload)
        return Step(passed=True)   # the interview's welcome (earlier answers kept)

    def _redeem(self, env: Env, inp: Input, token: str) -> Step:
        """Take the role (welcome, and the role's commands in the menu) or bind an applicant."""
        ctx = deps_of(env).staff_ctx()
        try:
            if is_link_token(token):
                person = redeem_link(ctx, inp.user_id, token)
                return Step([Reply(text("tgstaff.link.welcome", name=person.name,
                                        county=person.county, village=person.village))])
            grant = redeem_invite(ctx, inp.user_id, token)
        except InputError as refused:
            return Step([Reply(refused.zh)])
        # Known by name and chat from now on: /roles lists them, a revocation is sent there.
        deps_of(env).storage.upsert_user(inp.user_id, inp.chat_id or inp.user_id, inp.name)
        return Step([Reply(text("tgstaff.welcome", who=welcome_text(grant)))],
                    events=[{"type": "role_menu", "role": grant.role}])


class HelpFlow(FlowBase):
    """/help: a privileged role's commands; a worker gets the interview's help."""

    name = "help"
    commands: tuple[str, ...] = ("/help",)

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        if env.role in ROLE_COMMANDS and env.role != WORKER:
            return Step([Reply(help_text(env.role))])
        return Step(passed=True)
