"""Admin and job-fair flows through ChatApp directly, no Telegram (tests/cases/flows/adminfairs).

Each YAML case is a conversation of several people with the bot; see the README there for the
step format. The chat records are stored after every turn, as a channel would.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from flow_runner import Chats
from sqlmodel import select

from bot.broadcast import FakeClock, open_outbox
from bot.core import conversation
from bot.core.render import text
from bot.core.replies import Reply, Turn
from bot.flows import ChatApp, Deps
from bot.staff import StaffContext, create_invite, redeem_invite, register_applicant, role_of
from bot.staff.models import ApplicantRow, AuditRow

CASES = sorted((Path(__file__).parent / "cases" / "flows" / "adminfairs").glob("*.yaml"))
PEOPLE = {"admin": (1, "管理员"), "laowang": (21, "老王"), "xiaoli": (22, "小李"),
          "staff": (30, "张姐"), "worker": (40, "阿木")}
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)   # 12:00 in China
CHECKS = {"as", "send", "tap", "expect", "expect_not", "told", "applicants", "role", "audit", "fairs"}


class People(Chats):
    """The README's people talking to one ChatApp (``flow_runner``), by their names."""

    def say_as(self, who: str, kind: str, words: str) -> Turn:
        """``who`` types ``words`` (a command when it starts with /) or taps the button so labelled."""
        user_id, _ = PEOPLE[who]
        return self.tap(user_id, words) if kind == "tap" else self.say(user_id, words)


def people(app: ChatApp) -> People:
    return People(app, names={user_id: name for user_id, name in PEOPLE.values()})


@pytest.fixture
def world(storage, tmp_path):
    """The people of the README in 马边, an outbox with a fixed clock, and the ChatApp."""
    ctx = StaffContext(engine=storage.engine, admin_ids=frozenset({PEOPLE["admin"][0]}),
                       clock=lambda: NOON)
    admin = PEOPLE["admin"][0]
    for who, role, places in (("laowang", "coordinator", {"county": "马边", "village": "民主村"}),
                              ("xiaoli", "coordinator", {"county": "马边", "village": "民主村"}),
                              ("staff", "staff", {"counties": ("马边",)})):
        user_id, name = PEOPLE[who]
        redeem_invite(ctx, user_id, create_invite(ctx, admin, role, **places).token)
        storage.upsert_user(user_id, user_id, name)
    outbox = open_outbox(f"sqlite:///{tmp_path / 'outbox.sqlite3'}", clock=FakeClock(NOON))
    app = ChatApp(Deps(storage, ctx, lambda: date(2026, 11, 22), conversation, outbox=outbox))
    yield app, ctx, outbox
    outbox.close()


def _texts(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


def _check(step: dict, turn: Turn, ctx: StaffContext, outbox: Any, where: str) -> None:
    """The step's checks (README) against the turn and the database."""
    said = _texts(turn.replies)
    for words in step.get("expect", []):
        assert words in said, f"{where}: {words!r} not in {said!r}"
    for words in step.get("expect_not", []):
        assert words not in said, f"{where}: {words!r} in {said!r}"
    for who, words in step.get("told", {}).items():
        told = [e["text"] for e in turn.events
                if e.get("type") == "notify" and e.get("chat_id") == PEOPLE[who][0]]
        assert any(words in message for message in told), f"{where}: {who} not told {words!r}: {told}"
    with ctx.transaction() as session:
        for who, count in step.get("applicants", {}).items():
            owned = session.exec(select(ApplicantRow).where(
                ApplicantRow.coordinator_id == PEOPLE[who][0])).all()
            assert len(owned) == count, f"{where}: {who} has {len(owned)} applicants"
        actions = set(session.exec(select(AuditRow.action)).all())
    for action in step.get("audit", []):
        assert action in actions, f"{where}: no audit line {action}"
    for who, role in step.get("role", {}).items():
        assert role_of(ctx, PEOPLE[who][0]).role == role, f"{where}: {who} is not {role}"
    if "fairs" in step:
        assert [fair.status for fair in outbox.fairs()] == step["fairs"], where


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_admin_and_fair_flow(path: Path, world) -> None:
    app, ctx, outbox = world
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    for _ in range(case.get("applicants", 2)):
        register_applicant(ctx, PEOPLE["laowang"][0], "阿依")
    chats = people(app)
    for number, step in enumerate(case["steps"], 1):
        where = f"{path.name} step {number}"
        assert set(step) <= CHECKS, f"{where}: unknown keys {set(step) - CHECKS}"
        kind = "tap" if "tap" in step else "send"
        turn = chats.say_as(step["as"], kind, str(step[kind]))
        _check(step, turn, ctx, outbox, where)


def test_a_role_revoked_mid_draft_ends_the_draft(world) -> None:
    """The draft lives in the chat record: a staff member who lost the role is freed from it."""
    from bot.staff import revoke_role

    app, ctx, _outbox = world
    chats = people(app)
    chats.say_as("staff", "send", "/fair")
    assert app.load(PEOPLE["staff"][0])["flow"] == {
        "name": "fair_draft", "state": {"step": "title", "fields": {}}}
    revoke_role(ctx, PEOPLE["admin"][0], PEOPLE["staff"][0])
    turn = chats.say_as("staff", "send", "秋季招聘会")
    assert _texts(turn.replies) == text("staff.denied")
    assert "flow" not in app.load(PEOPLE["staff"][0])


def test_fairs_without_an_outbox_say_so(world) -> None:
    app, _ctx, _outbox = world
    app.deps.outbox = None
    assert _texts(people(app).say_as("staff", "send", "/fair").replies) == text("fairs.off")
