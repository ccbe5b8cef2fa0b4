"""Conversation scenarios (tests/cases/conversations/*.yaml) through the core and the terminal chat."""
from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_checks import check

from bot.adapters import terminal
from bot.core import conversation as conv

SCENARIO_DIR = Path(__file__).parent / "cases" / "conversations"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.yaml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def tap(buttons: list[conv.Button], label: str, where: str) -> str:
    """The data of the first button whose label contains ``label``."""
    for button in buttons:
        if label in button.label:
            return button.data
    raise AssertionError(f"{where}: no button {label!r} among {[b.label for b in buttons]}")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_through_the_core(path):
    scenario = load(path)
    as_of: date = scenario["as_of"]
    state, texts, buttons = None, "", []
    for number, step in enumerate(scenario["steps"], 1):
        where = f"{path.name} step {number}"
        if "send" in step:
            message = str(step["send"])
            if message.split()[0] == "/start":
                payload = message.partition(" ")[2].strip() or None
                turn = conv.start(state, as_of=as_of, payload=payload)
            else:
                turn = conv.handle_text(state, message, as_of=as_of)
        elif "tap" in step:
            turn = conv.handle_button(state, tap(buttons, str(step["tap"]), where), as_of=as_of)
        else:
            check(step, texts, [b.label for b in buttons], where)
            continue
        state = turn.state
        texts = "\n".join(r.text for r in turn.replies)
        buttons = [b for r in turn.replies for row in r.buttons for b in row]
        assert all(len(r.text) <= 4000 for r in turn.replies), where
        check(step, texts, [b.label for b in buttons], where)


class ScriptedInput(io.StringIO):
    """Stdin for the terminal chat that types each step, turning taps into option numbers.

    It notes which chunk of output belongs to which step, so every step can be checked.
    """

    def __init__(self, steps: list[dict], output: io.StringIO) -> None:
        super().__init__()
        self.steps, self.output, self.read_upto, self.index = steps, output, 0, 0
        self.chunks: list[str] = []
        self.checks: list[tuple[dict, int]] = []   # (step, index of the chunk it produced)

    def isatty(self) -> bool:
        return False

    def readline(self, *args) -> str:
        self.chunks.append(self.output.getvalue()[self.read_upto:])
        self.read_upto = len(self.output.getvalue())
        current = len(self.chunks) - 1
        while self.index < len(self.steps):
            step = self.steps[self.index]
            self.index += 1
            command = str(step.get("send", "")).split(" ")[0]
            if not ({"send", "tap"} & set(step)) or command == "/start":
                self.checks.append((step, current))   # the welcome screen is already shown
                continue
            self.checks.append((step, current + 1))
            if "send" in step:
                return str(step["send"]) + "\n"
            return self._number(str(step["tap"]), self.chunks[current])
        return ""

    @staticmethod
    def _number(label: str, chunk: str) -> str:
        for number, shown in re.findall(r"^  \[(\d+)\] (.*)$", chunk, flags=re.MULTILINE):
            if label in shown:
                return number + "\n"
        raise AssertionError(f"terminal: no option {label!r} in:\n{chunk}")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_through_the_terminal(path):
    scenario = load(path)
    output = io.StringIO()
    stdin = ScriptedInput(scenario["steps"], output)
    assert terminal.main(None, stdin=stdin, stdout=output, today=lambda: scenario["as_of"]) == 0
    assert len(stdin.checks) == len(scenario["steps"])
    for number, (step, chunk) in enumerate(stdin.checks, 1):
        shown = stdin.chunks[chunk]
        options = re.findall(r"^  \[\d+\] (.*)$", shown, flags=re.MULTILINE)
        check(step, shown, options, f"terminal {path.name} step {number}")


def test_terminal_continues_after_a_restart_with_a_store():
    store, today = terminal.MemoryStore(), (lambda: date(2026, 11, 22))
    first = io.StringIO()
    terminal.main(None, stdin=io.StringIO("1\n马边\n"), stdout=first, store=store, today=today)
    assert store.saved[terminal.CONVERSATION_KEY]["facts"]["origin_county"] == "马边"
    second = io.StringIO()
    terminal.main(None, stdin=io.StringIO("/quit\n"), stdout=second, store=store, today=today)
    assert "你家是哪一类？" in second.getvalue()


TYPICAL_WORKER = {
    "origin_county": "马边", "person_category": "脱贫户", "work_place": "浙江绍兴柯桥",
    "employment_start": "2024年2月", "first_arrival_same": "是", "first_arrival": "2024年2月",
    "social_insurance_months": "30个月", "contract_months": "2年", "renting_self": "是",
    "certificate_level": "没有证", "trained_in_work_city": "不是",
}


@pytest.mark.parametrize("employment_start, inputs", [
    ("2024年2月 第一次来", 7),   # one typed answer settles both dates
    ("2024年2月", 8),            # the date, then the 'first time here?' button of the same question
])
def test_typical_worker_answers_at_most_seven_questions(employment_start, inputs):
    as_of = date(2026, 11, 22)
    answers = {**TYPICAL_WORKER, "employment_start": employment_start}
    turn = conv.handle_button(conv.start(None, as_of=as_of).state, "go", as_of=as_of)
    prompts = []
    while turn.state["phase"] != "done":
        pending = turn.state["pending"]
        assert pending not in prompts, f"asked {pending} twice"
        prompts.append(pending)
        turn = conv.handle_text(turn.state, answers[pending], as_of=as_of)
    texts = "\n".join(r.text for r in turn.replies)
    assert "3000元" in texts and "5000元" in texts and "每月500元" in texts
    questions = [p for p in prompts if p != "first_arrival_same"]   # a follow-up of employment_start
    assert len(questions) <= 7, prompts
    assert len(prompts) == inputs, prompts


ANSWERS = ["马边", "脱贫户", "浙江绍兴柯桥", "2024年2月", "30个月", "是", "不是", "不清楚", "开始", "朝阳",
           "/back", "/review", "/restart", "/help", "/start x", "租房有补贴吗", "没有证"]
BUTTONS = ["go", "back", "review", "restart", "remind", "results", "why:shaoxing.rent", "a:", "a:origin_county:0",
           "a:first_arrival_same:yes", "skip:origin_county", "edit:person_category", "a:person_category:monitored"]
inputs = st.lists(st.one_of(
    st.tuples(st.just("text"), st.one_of(st.sampled_from(ANSWERS), st.text(max_size=40))),
    st.tuples(st.just("tap"), st.one_of(st.sampled_from(BUTTONS), st.text(max_size=20)))), max_size=14)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs)
def test_any_input_sequence_gets_replies_and_keeps_a_valid_state(steps):
    as_of = date(2026, 11, 22)
    state = conv.start(None, as_of=as_of).state
    for kind, value in steps:
        handle = conv.handle_text if kind == "text" else conv.handle_button
        turn = handle(state, value, as_of=as_of)
        assert turn.replies and all(r.text for r in turn.replies)
        assert json.loads(json.dumps(turn.state)) == turn.state
        if turn.state["phase"] == "asking":
            assert turn.state["pending"]
        state = turn.state
