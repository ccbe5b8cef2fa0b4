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
from flow_runner import Chats, said
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


class Chat(Chats):
    """Several users of the terminal's ChatApp (``flow_runner``), typed lines as the terminal reads them."""

    def typed(self, user_id: int, line: str) -> Turn:
        """A line as the terminal reads it (a number presses a shown button)."""
        inp = typed_input(line, [b.data for b in self.shown.get(user_id, [])], user_id)
        return self.act(user_id, inp.kind, inp.text)


def chat_for(storage, as_of) -> Chat:
    staff = StaffContext(engine=storage.engine, admin_ids=frozenset({USERS["admin"]}),
                         clock=lambda: NOON)
    app = build_app(storage, lambda: as_of, None, staff)
    app.prefix = "tg:"   # the keys /delete erases, as for a Telegram user
    return Chat(app)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_staff_scenario_through_the_terminal_app(path, storage):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    chat = chat_for(storage, scenario["as_of"])
    invite = said(chat.typed(USERS["admin"], f"/invite coordinator {scenario['coordinator']}"))
    chat.typed(USERS["coordinator"], f"/start {TOKENS['invite'].search(invite)[1]}")
    for n in range(scenario.get("applicants", 0)):
        register_applicant(chat.app.deps.staff, USERS["coordinator"],
                           SURNAMES[n % len(SURNAMES)] + "小" + "明亮"[n // len(SURNAMES)])
    tokens = {"link": "", "invite": ""}
    for number, step in enumerate(scenario["steps"], 1):
        where, user_id = f"{path.name} step {number}", USERS[step.get("as", "coordinator")]
        if "send" in step:
            typed = str(step["send"])
            for name, token in tokens.items():
                typed = typed.replace("{" + name + "}", token)
            turn = chat.typed(user_id, typed)
        elif "retap" in step:
            turn = chat.retap(user_id)
        else:
            turn = chat.tap(user_id, str(step["tap"]))
        texts = "\n".join(reply.text for reply in turn.replies)
        labels = [b.label for reply in turn.replies for row in reply.buttons for b in row]
        files = sum(1 for event in turn.events if event.get("type") == "send_file")
        assert texts or files, f"{where}: no reply"
        for name, pattern in TOKENS.items():
            tokens[name] = next(iter(pattern.findall(texts)), tokens[name])
        check(step, texts, labels, where, files)
