"""The coordinator scenarios (tests/cases/staff/conversations/*.yaml) through the terminal's app.

The same files run through the fake Bot API in test_telegram_staff_scenarios.py; here each
step goes to :class:`bot.flows.ChatApp` as the terminal adapter calls it (numbered buttons
become the button's data, files are ``send_file`` events), so every flow of every role is
checked without Telegram. The setup is the same: the admin invites the coordinator with
/invite, the coordinator redeems it with /start, and ``applicants`` are registered beforehand.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from scenario_checks import check

from bot.adapters.terminal import build_app, typed_input
from bot.core.replies import Turn
from bot.staff import StaffContext, register_applicant

SCENARIO_DIR = Path(__file__).parent / "cases" / "staff" / "conversations"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.yaml"))
USERS = {"admin": 9501, "coordinator": 9502, "applicant": 9503, "worker": 9504}
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
TOKENS = {"link": re.compile(r"start=(lnk_\S+)"), "invite": re.compile(r"start=(inv_\S+)")}
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻"


class Chat:
    """Several users of one ChatApp, each with the record the terminal would keep."""

    def __init__(self, storage, as_of) -> None:
        staff = StaffContext(engine=storage.engine, admin_ids=frozenset({USERS["admin"]}),
                             clock=lambda: NOON)
        self.staff = staff
        self.app = build_app(storage, lambda: as_of, None, staff)
        self.app.prefix = "tg:"   # the keys /delete erases, as for a Telegram user
        self.buttons: dict[int, list[tuple[str, str]]] = {}
        self.last_tapped = ""

    def say(self, user_id: int, line: str) -> Turn:
        """Type a line as the user."""
        data = [d for _, d in self.buttons.get(user_id, [])]
        return self._run(user_id, typed_input(line, data, user_id))

    def tap(self, user_id: int, label: str, where: str) -> Turn:
        """Tap the button whose label contains ``label``."""
        shown = self.buttons.get(user_id, [])
        match = [number for number, (shown_label, _) in enumerate(shown, 1) if label in shown_label]
        assert match, f"{where}: no button {label!r} in {[lab for lab, _ in shown]}"
        return self.say(user_id, str(match[0]))

    def _run(self, user_id, inp) -> Turn:
        before = self.app.load(user_id)
        turn = self.app.handle(inp, before)
        for key, record in self.app.to_store(user_id, turn, before).items():
            self.app.deps.storage.save_conversation(key, record)
        shown = [(b.label, b.data) for reply in turn.replies for row in reply.buttons for b in row]
        if shown:
            self.buttons[user_id] = shown
        return turn


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_staff_scenario_through_the_terminal_app(path, storage):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    chat = Chat(storage, scenario["as_of"])
    invite = "\n".join(r.text for r in chat.say(
        USERS["admin"], f"/invite coordinator {scenario['coordinator']}").replies)
    chat.say(USERS["coordinator"], f"/start {TOKENS['invite'].search(invite)[1]}")
    for n in range(scenario.get("applicants", 0)):
        register_applicant(chat.staff, USERS["coordinator"],
                           SURNAMES[n % len(SURNAMES)] + "小" + "明亮"[n // len(SURNAMES)])
    tokens = {"link": "", "invite": ""}
    for number, step in enumerate(scenario["steps"], 1):
        where, user_id = f"{path.name} step {number}", USERS[step.get("as", "coordinator")]
        if "send" in step:
            typed = str(step["send"])
            for name, token in tokens.items():
                typed = typed.replace("{" + name + "}", token)
            turn = chat.say(user_id, typed)
        elif "retap" in step:
            turn = chat._run(user_id, typed_input("1", [chat.last_tapped], user_id))
        else:
            label = str(step["tap"])
            shown = chat.buttons.get(user_id, [])
            chat.last_tapped = next((d for lab, d in shown if label in lab), "")
            turn = chat.tap(user_id, label, where)
        texts = "\n".join(reply.text for reply in turn.replies)
        labels = [b.label for reply in turn.replies for row in reply.buttons for b in row]
        files = sum(1 for event in turn.events if event.get("type") == "send_file")
        assert texts or files, f"{where}: no reply"
        for name, pattern in TOKENS.items():
            tokens[name] = next(iter(pattern.findall(texts)), tokens[name])
        check(step, texts, labels, where, files)
