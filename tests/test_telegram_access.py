"""Access control as data (tests/cases/telegram_access.yaml): refused calls change no table."""
from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from fakebotapi.harness import OfflineBot
from openpyxl import load_workbook
from sqlalchemy import Engine, MetaData

from bot.core.render import text
from bot.staff import (
    StaffContext,
    create_invite,
    invite_ref,
    record_service,
    redeem_invite,
    register_applicant,
    save_interview,
)
from bot.storage import open_storage

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "telegram_access.yaml").read_text("utf-8"))
ADMIN, OWNER = 8001, 8002
CALLERS = {"worker": 8101, "other_coordinator": 8102, "other_staff": 8103, "county_staff": 8104,
           "admin": ADMIN}
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
FACTS = {"person_category": "poverty_alleviated", "work_province": "浙江省", "work_city": "绍兴市",
         "employment_start": "2024-03-01", "social_insurance_months": 8}
INFRASTRUCTURE = {"processed_updates", "user_locks", "inbox"}  # which updates were seen, not what they did


def expanded() -> list[tuple[str, str, str]]:
    """(input, caller, expectation) for every line of the YAML."""
    return [(case["input"], caller, expect) for case in CASES["cases"]
            for expect in ("denied", "hidden") for caller in case.get(expect, [])]


def world(ctx: StaffContext) -> dict:
    """Two coordinators, staff of two counties, 阿木 with answers and a service, an open invite."""
    def role(user_id: int, kind: str, **where) -> None:
        redeem_invite(ctx, user_id, create_invite(ctx, ADMIN, kind, **where).token)

    role(OWNER, "coordinator", county="马边", village="民主村")
    role(CALLERS["other_coordinator"], "coordinator", county="马边", village="新村")
    role(CALLERS["other_staff"], "staff", counties=("峨边",))
    role(CALLERS["county_staff"], "staff", counties=("马边",))
    applicant = register_applicant(ctx, OWNER, "阿木", phone="13912345678")
    save_interview(ctx, OWNER, applicant.id, {"facts": FACTS})
    record_service(ctx, OWNER, applicant.id, "guidance", date(2026, 11, 20))
    pending = create_invite(ctx, ADMIN, "coordinator", county="马边", village="红旗村")
    return {"applicant": applicant.id, "invite": invite_ref(pending.token)}


def snapshot(engine: Engine, skip: set[str]) -> dict[str, list[str]]:
    """Every row of every table (but ``skip``), as sorted text."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        return {name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
                for name, table in meta.tables.items() if name not in skip}


def context(engine: Engine) -> StaffContext:
    return StaffContext(engine=engine, admin_ids=frozenset({ADMIN}), clock=lambda: NOON)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[str, dict]:
    """The world built once in a database file (migrations and invites take time)."""
    path = tmp_path_factory.mktemp("access") / "world.sqlite3"
    storage = open_storage(f"sqlite:///{path}")
    ids = world(context(storage.engine))
    storage.close()
    return str(path), ids


@pytest.fixture
def storage_and_ids(template, tmp_path):
    """A fresh copy of the world for one case."""
    path, ids = template
    shutil.copy(path, tmp_path / "bot.sqlite3")
    storage = open_storage(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    yield storage, ids
    storage.close()


@pytest.mark.parametrize(("typed", "caller", "expect"), expanded(),
                         ids=[f"{c}:{e}:{i}" for i, c, e in expanded()])
async def test_refused_or_hidden_and_nothing_changes(storage_and_ids, typed, caller, expect):
    sqlite_storage, ids = storage_and_ids
    ctx = context(sqlite_storage.engine)
    typed = typed.format(**ids)
    skip = INFRASTRUCTURE | ({"staff_audit"} if expect == "hidden" else set())
    async with OfflineBot(sqlite_storage, staff=ctx) as bot:
        user = CALLERS[caller]
        before = snapshot(ctx.engine, skip)
        if typed.startswith("tap "):
            replies = await bot.tap(user, typed.removeprefix("tap "))
        else:
            replies = await bot.send(user, typed)
        assert snapshot(ctx.engine, skip) == before
        if expect == "denied":
            assert replies == [text("staff.denied")]
            assert bot.api.documents(user) == []
        else:
            files = [load_workbook(BytesIO(f.data)).active for f in bot.api.documents(user)]
            cells = [str(c) for sheet in files for row in sheet.iter_rows(values_only=True) for c in row]
            assert replies or files
            assert not any("阿木" in piece for piece in replies + cells)


def test_every_privileged_command_is_covered():
    from bot.flows.app import default_flows

    privileged = {command.lstrip("/") for flow in default_flows() if flow.roles
                  for command in flow.commands}
    typed = {case["input"].split()[0].lstrip("/") for case in CASES["cases"]}
    assert {"apply", "applicants", "service", "ledger", "done", "invite"} <= privileged
    assert privileged <= typed
