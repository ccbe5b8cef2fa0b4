"""An admin adds or amends a policy document without a developer: the knowledge file (.md) and
the rules file (.yaml) are sent to the bot, checked exactly like ``python -m bot rules check``,
shown as what would change for whom (the reassess dry run), and only switched on when the
admin confirms; every bot process then uses them within a second. A broken file changes nothing.
"""
from __future__ import annotations

from typing import Any

from bot.core.flow import Env, FlowBase, Input, Step
from bot.core.render import text
from bot.core.replies import Button, Reply
from bot.flows import data
from bot.flows.deps import deps_of
from bot.staff import ADMIN

MAX_FILE_CHARS = 400_000    # one document's text; larger files are refused
MAX_LINES = 25              # of the diff and of the dry run shown in the chat


def _path(file_name: str) -> str:
    """Where an uploaded file goes: knowledge/<name>.md or rules/<name>.yaml."""
    name = file_name.rsplit("/", 1)[-1]
    return f"knowledge/{name}" if name.lower().endswith(".md") else f"rules/{name}"


class RulesUploadFlow(FlowBase):
    """Files in (one or more), 检查, then 启用 or 不用了; after it, 告诉新能领的人 (reassess)."""

    name = "rules_upload"
    prefix = data.RULES_UPLOAD
    roles = frozenset({ADMIN})
    file_types = (".md", ".yaml", ".yml")

    def handle(self, env: Env, state: dict[str, Any], inp: Input) -> Step:
        if inp.kind == "file":
            return self._add(state, inp)
        if inp.text == data.RULES_QUIT:
            return Step([Reply(text("rules_upload.quit"))])
        if inp.text == data.RULES_TELL:
            return self._tell(env)
        files = state.get("files") or {}
        if not files:
            return Step([Reply(text("telegram.stale_button"))])
        if inp.text == data.RULES_CHECK:
            return self._check(env, state)
        if inp.text == data.RULES_ON and state.get("checked"):
            return self._activate(env, state)
        if inp.kind == "text":
            return Step(passed=True, state=state)
        return Step([Reply(text("telegram.stale_button"))], state)

    def prompt(self, env: Env, state: dict[str, Any]) -> list[Reply]:
        return [self._received(state)]

    @staticmethod
    def _received(state: dict[str, Any]) -> Reply:
        names = sorted(state.get("files") or {})
        buttons = [[Button(text("rules_upload.check"), data.RULES_CHECK),
                    Button(text("rules_upload.cancel"), data.RULES_QUIT)]]
        return Reply(text("rules_upload.received", names=names), buttons)

    def _add(self, state: dict[str, Any], inp: Input) -> Step:
        content = inp.file or b""
        try:
            body = content.decode("utf-8")
        except UnicodeDecodeError:
            return Step([Reply(text("rules_upload.not_utf8", name=inp.file_name))], state or None)
        if len(body) > MAX_FILE_CHARS:
            return Step([Reply(text("rules_upload.too_big", name=inp.file_name))], state or None)
        files = {**(state.get("files") or {}), _path(inp.file_name): body}
        state = {"files": files}   # a new file: checked again before it can be switched on
        return Step([self._received(state)], state)

    @staticmethod
    def _stage(env: Env, state: dict[str, Any]) -> Any:
        from bot.staff.rules_update import stage_rules

        files = {name: body.encode("utf-8") for name, body in state["files"].items()}
        deps = deps_of(env)
        return stage_rules(deps.staff_ctx().engine, files, env.as_of, deps.policy_root)

    def _check(self, env: Env, state: dict[str, Any]) -> Step:
        staged = self._stage(env, state)
        if not staged.ok:
            lines = list(staged.problems[:MAX_LINES])
            more = max(0, len(staged.problems) - MAX_LINES)
            return Step([Reply(text("rules_upload.problems", lines=lines, more=more)),
                         self._received(state)], state)
        report = staged.dry_run
        effect = report.lines()[1:MAX_LINES] if report is not None else []
        said = text("rules_upload.diff", diff=list(staged.diff[:MAX_LINES]), effect=effect,
                    version=staged.version[:12])
        buttons = [[Button(text("rules_upload.on"), data.RULES_ON),
                    Button(text("rules_upload.cancel"), data.RULES_QUIT)]]
        return Step([Reply(said, buttons)], {**state, "checked": staged.version})

    def _activate(self, env: Env, state: dict[str, Any]) -> Step:
        from bot.staff.audit import record
        from bot.staff.rules_update import activate

        staged = self._stage(env, state)   # checked again: the files on disk may have moved on
        if not staged.ok or staged.version != state.get("checked"):
            return Step([Reply(text("rules_upload.changed")), self._received(state)],
                        {"files": state["files"]})
        version = activate(staged, deps_of(env).policy_root)
        ctx = deps_of(env).staff_ctx()
        with ctx.transaction() as session:
            record(session, ctx, env.user_id, "rules.activate", f"rules:{version[:12]}",
                   {"files": sorted(state["files"])})
        buttons = [[Button(text("rules_upload.tell"), data.RULES_TELL)]]
        return Step([Reply(text("rules_upload.on_done", version=version[:12]), buttons)])

    @staticmethod
    def _tell(env: Env) -> Step:
        """Reassess with the deployed rules and tell each gain once (the outbox)."""
        from bot.core.ruleset import load_rule_set
        from bot.staff.reassess import reassess

        deps = deps_of(env)
        report = reassess(deps.staff_ctx().engine, load_rule_set(deps.policy_root), env.as_of)
        return Step([Reply(text("rules_upload.told", people=len(report.changed),
                                messages=len(report.messages)))])
