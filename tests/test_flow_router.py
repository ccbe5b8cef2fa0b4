"""The router's one precedence, with two tiny flows and a recording home (no database)."""
from __future__ import annotations

from datetime import date

import pytest

from bot.core.errors import InputError
from bot.core.flow import FLOW_KEY, Env, FlowBase, Input, Router, Step, active_flow
from bot.core.replies import Button, Reply, Turn

AS_OF = date(2026, 11, 25)


class Home:
    """The worker's interview stand-in: records what it got; 问号 marks a question."""

    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []

    def handle(self, env, state, inp):
        self.got.append((inp.kind, inp.text))
        return Turn({**(state or {}), "seen": [*(state or {}).get("seen", []), inp.text]},
                    [Reply(f"home:{inp.text}")], [])

    def is_question(self, message):
        return message.endswith("？")

    def answer(self, env, state, message):
        return [Reply(f"answer:{message}")]


class Ask(FlowBase):
    """/ask: waits for a name, then ends; its buttons start with ask:."""

    name, commands, prefix = "ask", ("/ask",), "ask:"

    def handle(self, env, state, inp):
        if inp.kind == "command":
            return Step([Reply("name?", [[Button("取消", "ask:cancel")]])], {"step": "name"})
        if inp.text == "ask:cancel":
            return Step([Reply("cancelled")])
        if inp.text == "坏":
            raise InputError("这不像名字", "bad name")
        return Step([Reply(f"hello {inp.text}")])

    def prompt(self, env, state):
        return [Reply("name?")]


class Staff(FlowBase):
    """/secret for staff only; a stateless button stf2:go."""

    name, commands, prefix, roles = "secret", ("/secret",), "stf2:", frozenset({"staff"})

    def handle(self, env, state, inp):
        return Step([Reply("secret")])


@pytest.fixture
def router():
    return Router(Home(), [Ask(), Staff()])


def run(router, record, kind, text, role="worker"):
    turn = router.route(Env(AS_OF, role), record, Input(kind, text, 1, 1))
    return turn, [r.text for r in turn.replies]


def test_a_command_starts_its_flow_and_another_command_leaves_it(router):
    turn, said = run(router, None, "command", "/ask")
    assert said == ["name?"] and active_flow(turn.state) == ("ask", {"step": "name"})
    turn, said = run(router, turn.state, "command", "/review")
    assert said == ["home:/review"] and active_flow(turn.state) is None


def test_text_goes_to_the_active_flow_and_a_question_is_answered_without_ending_it(router):
    record = run(router, None, "command", "/ask")[0].state
    turn, said = run(router, record, "text", "租房有补贴吗？")
    assert said == ["answer:租房有补贴吗？", "name?"] and active_flow(turn.state) == ("ask", {"step": "name"})
    turn, said = run(router, turn.state, "text", "阿木")
    assert said == ["hello 阿木"] and FLOW_KEY not in turn.state


def test_a_refusal_is_said_and_changes_nothing(router):
    record = run(router, None, "command", "/ask")[0].state
    turn, said = run(router, record, "text", "坏")
    assert said == ["这不像名字"] and active_flow(turn.state) == ("ask", {"step": "name"})


def test_buttons_go_to_their_owner_and_a_home_button_moves_on(router):
    record = run(router, None, "command", "/ask")[0].state
    turn, said = run(router, record, "button", "ask:cancel")
    assert said == ["cancelled"] and FLOW_KEY not in turn.state
    record = run(router, None, "command", "/ask")[0].state
    turn, said = run(router, record, "button", "a:origin:1")
    assert said == ["home:a:origin:1"] and FLOW_KEY not in turn.state
    record = run(router, None, "command", "/ask")[0].state
    turn, said = run(router, record, "button", "clause:r1")   # 看全文 only shows text
    assert active_flow(turn.state) == ("ask", {"step": "name"})


def test_roles_are_checked_for_commands_and_buttons(router):
    assert "没有权限" in run(router, None, "command", "/secret")[1][0]
    assert "没有权限" in run(router, None, "button", "stf2:go")[1][0]
    assert run(router, None, "command", "/secret", role="staff")[1] == ["secret"]


def test_the_interview_state_survives_a_flow(router):
    record = run(router, None, "text", "马边")[0].state
    record = run(router, record, "command", "/ask")[0].state
    record = run(router, record, "text", "阿木")[0].state
    assert record["seen"] == ["马边"]


def test_other_kinds_of_message_repeat_the_flows_question(router):
    record = run(router, None, "command", "/ask")[0].state
    turn, said = run(router, record, "other", "")
    assert said[-1] == "name?" and "文字" in said[0]
    assert active_flow(turn.state) == ("ask", {"step": "name"})


def test_overlapping_prefixes_are_refused():
    class Other(Ask):
        name, commands, prefix = "other", ("/other",), "ask:x"

    with pytest.raises(ValueError, match="overlap"):
        Router(Home(), [Ask(), Other()])
