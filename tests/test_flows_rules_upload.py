"""An admin sends a document's files to the bot (through the ChatApp): a broken file changes
nothing and says which file, rule and field; a valid one shows what changes, is switched on
only after 启用, and 不用了 leaves everything as it was. The deployed set is a temp copy."""
from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.core.flow import Input
from bot.core.version import content_hash
from bot.flows import ChatApp, Deps
from bot.staff import StaffContext

ROOT = Path(__file__).resolve().parent.parent
ADMIN, STAFF_USER = 9951, 9952
AS_OF = date(2026, 11, 22)
OLD, NEW = "给予一次性3000元的就业稳岗补贴", "给予一次性3500元的就业稳岗补贴"


@pytest.fixture
def deployed(tmp_path) -> Path:
    for name in ("rules", "knowledge"):
        shutil.copytree(ROOT / name, tmp_path / "live" / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "live"


@pytest.fixture
def app(sqlite_storage, deployed):
    staff = StaffContext(engine=sqlite_storage.engine, admin_ids=frozenset({ADMIN}),
                         clock=lambda: datetime(2026, 11, 22, 4, tzinfo=UTC))
    return ChatApp(Deps(sqlite_storage, staff, lambda: AS_OF, policy_root=deployed))


def _do(app, user, kind, value="", name="", data=None):
    before = app.load(user)
    turn = app.handle(Input(kind, value, user, user, file_name=name, file=data), before)
    for key, record in app.to_store(user, turn, before).items():
        app.deps.storage.save_conversation(key, record)
    return "\n".join(r.text for r in turn.replies), [b for r in turn.replies for row in r.buttons for b in row]


def _amended(root: Path) -> dict[str, bytes]:
    rules = (root / "rules/shaoxing-2021.yaml").read_text("utf-8").replace(OLD, NEW).replace(
        "amount: {yuan: 3000, per: once}", "amount: {yuan: 3500, per: once}")
    knowledge = (root / "knowledge/shaoxing-2021.md").read_text("utf-8").replace(OLD, NEW)
    return {"shaoxing-2021.yaml": rules.encode(), "shaoxing-2021.md": knowledge.encode()}


def _tap(app, user, buttons, label):
    [button] = [b for b in buttons if b.label == label]
    return _do(app, user, "button", button.data)


def test_cancel_leaves_everything_and_other_roles_are_told_only_text_is_read(app, deployed):
    before = content_hash(deployed)
    files = _amended(deployed)
    _do(app, ADMIN, "file", name="shaoxing-2021.md", data=files["shaoxing-2021.md"])
    said, buttons = _do(app, ADMIN, "file", name="shaoxing-2021.yaml", data=files["shaoxing-2021.yaml"])
    said, _ = _tap(app, ADMIN, buttons, "不用了")
    assert "什么都没改" in said and content_hash(deployed) == before
    said, _ = _do(app, STAFF_USER, "file", name="shaoxing-2021.yaml", data=files["shaoxing-2021.yaml"])
    assert "文字" in said and content_hash(deployed) == before
    said, _ = _do(app, ADMIN, "file", name="evil.yaml", data=b"\xff\xfe")
    assert "UTF-8" in said
