"""Conversations about policy finding people (tests/cases/flows/policy/*.yaml), through the ChatApp.

A case names its people (role and place), which of them did the interview beforehand, and then
steps: ``as`` a person, ``send`` (text or a command), ``tap`` (a button label), or ``send_file``
(a spreadsheet written from ``rows``, or a deployed rules/knowledge file with ``replace``d
words). Checks after a step: ``expect`` / ``expect_not`` (words of the replies),
``expect_buttons`` / ``expect_no_buttons``, ``expect_files`` (how many files the bot sent),
``outbox`` (who has a queued message so far, each at most once), ``applicants`` (names the
coordinator now has), and ``policy`` (``changed`` / ``unchanged``: the deployed rules).
The deployed rules are a temp copy; see README.md next to the cases.
"""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from flow_runner import Chats, files, labels, said
from openpyxl import Workbook
from scenario_checks import check
from sqlalchemy import select

from bot.broadcast.tables import OUTBOX
from bot.core.version import content_hash
from bot.flows import ChatApp, Deps
from bot.staff import StaffContext, create_invite, redeem_invite
from bot.staff.applicants import applicant_names

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((Path(__file__).parent / "cases" / "flows" / "policy").glob("*.yaml"))
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
INTERVIEWS = {   # typed answers, the whole interview from /start
    "马边柯桥": ["/start", "开始", "我老家马边县", "建档立卡户", "绍兴柯桥", "2024年2月 第一次来", "两年半",
             "对", "没有"],
}
KEYS = {"as", "send", "tap", "send_file", "expect", "expect_not", "expect_buttons",
        "expect_no_buttons", "expect_files", "outbox", "applicants", "policy"}


def _workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _file(spec: dict[str, Any], policy: Path) -> bytes:
    """The file a step sends: a spreadsheet, or a deployed file with words replaced."""
    if "rows" in spec:
        return _workbook(spec["rows"])
    body = (policy / spec["from"]).read_text(encoding="utf-8")
    for old, new in (spec.get("replace") or {}).items():
        assert old in body, f"{spec['from']}: no {old!r}"
        body = body.replace(old, new)
    return body.encode("utf-8")


def _world(case: dict[str, Any], storage: Any, policy: Path) -> tuple[Chats, dict[str, int]]:
    ids = {who: 9200 + n for n, who in enumerate(case["people"])}
    setup = 9100   # the admin who invited the coordinators and staff (not in the conversation)
    admins = frozenset({setup} | {ids[w] for w, p in case["people"].items()
                                  if (p or {}).get("role") == "admin"})
    ctx = StaffContext(engine=storage.engine, admin_ids=admins, clock=lambda: NOON)
    for who, person in case["people"].items():
        person = dict(person or {})
        role = person.pop("role", None)
        if role in ("coordinator", "staff"):
            places = {k: tuple(v) if isinstance(v, list) else v for k, v in person.items()}
            redeem_invite(ctx, ids[who], create_invite(ctx, setup, role, **places).token)
        storage.upsert_user(ids[who], ids[who], who)
    app = ChatApp(Deps(storage, ctx, lambda: case["as_of"], policy_root=policy))
    chats = Chats(app, names={user_id: who for who, user_id in ids.items()})
    for who, answers in (case.get("interviews") or {}).items():
        for typed in INTERVIEWS[answers]:
            chats.say(ids[who], typed)
    return chats, ids


def _queued(storage: Any) -> list[int]:
    with storage.engine.connect() as db:
        return [row.user_id for row in db.execute(select(OUTBOX.c.user_id))]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_policy_conversation(path: Path, sqlite_storage: Any, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    policy = tmp_path / "policy"
    for name in ("rules", "knowledge"):
        shutil.copytree(ROOT / name, policy / name, ignore=shutil.ignore_patterns("__pycache__"))
    deployed = content_hash(policy)
    chats, ids = _world(case, sqlite_storage, policy)
    for number, step in enumerate(case["steps"], 1):
        where = f"{path.name} step {number}"
        assert set(step) <= KEYS, f"{where}: unknown keys {set(step) - KEYS}"
        user_id = ids[step["as"]]
        if "send_file" in step:
            spec = step["send_file"]
            turn = chats.act(user_id, "file", file_name=spec["name"], file=_file(spec, policy))
        elif "tap" in step:
            turn = chats.tap(user_id, str(step["tap"]))
        else:
            turn = chats.say(user_id, str(step["send"]))
        check(step, said(turn), labels(turn), where, len(files(turn)))
        if "outbox" in step:
            queued = _queued(sqlite_storage)
            assert sorted(queued) == sorted(ids[w] for w in step["outbox"]), f"{where}: {queued}"
        if "applicants" in step:
            owner = ids[step["as"]]
            assert applicant_names(chats.app.deps.staff, owner) == set(step["applicants"]), where
        if "policy" in step:
            assert (content_hash(policy) != deployed) == (step["policy"] == "changed"), where
