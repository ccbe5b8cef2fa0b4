"""A coordinator's spreadsheet sent to the bot (through the ChatApp, as any channel calls it):
the checked copy comes back, its people can be registered as applicants in one tap, once."""
from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from bot.core.flow import Input
from bot.flows import ChatApp, Deps
from bot.staff import StaffContext, create_invite, redeem_invite
from bot.staff.applicants import applicant_names

ADMIN, COORDINATOR, WORKER = 9601, 9602, 9603
AS_OF = date(2026, 11, 22)


def _sheet(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "身份证号", "手机", "户籍县", "务工地", "社保月数", "人员类别"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHEET = _sheet([
    [1, "阿木", "511133199001011234", "13800000001", "马边", "浙江绍兴柯桥", 30, "脱贫户"],
    [2, "吉克", "", "", "马边", "浙江绍兴柯桥", "三个月", "脱贫户"],
    [3, "", "", "", "", "", "", ""],
    [4, "沙马", "", "", "火星县", "北京", "", ""],
])


@pytest.fixture
def app(sqlite_storage):
    staff = StaffContext(engine=sqlite_storage.engine, admin_ids=frozenset({ADMIN}),
                         clock=lambda: datetime(2026, 11, 22, 4, tzinfo=UTC))
    redeem_invite(staff, COORDINATOR, create_invite(staff, ADMIN, "coordinator", county="马边",
                                                    village="民主村").token)
    return ChatApp(Deps(sqlite_storage, staff, lambda: AS_OF))


def _send(app, user_id, inp):
    before = app.load(user_id)
    turn = app.handle(inp, before)
    for key, record in app.to_store(user_id, turn, before).items():
        app.deps.storage.save_conversation(key, record)
    return turn


def test_the_checked_sheet_comes_back_and_its_people_are_registered_once(app):
    turn = _send(app, COORDINATOR, Input("file", "", COORDINATOR, COORDINATOR, file_name="民主村.xlsx",
                                         file=SHEET))
    said = "\n".join(r.text for r in turn.replies)
    assert "4行" in said and "1行有问题" in said and "登记成你的申请人" in said
    [sent] = [e for e in turn.events if e["type"] == "send_file"]
    book = load_workbook(BytesIO(sent["data"]))
    names = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert names == ["阿木", "吉克", None, "沙马"]   # every row back, in order, the blank one too
    assert "511133199001011234" in [c for row in book.active.iter_rows(values_only=True) for c in row]
    [[yes, no]] = turn.replies[-1].buttons
    assert "3人" in yes.label and no.label == "不用"
    turn = _send(app, COORDINATOR, Input("button", yes.data, COORDINATOR, COORDINATOR))
    assert "登记好了3人" in turn.replies[0].text
    assert applicant_names(app.deps.staff, COORDINATOR) == {"阿木", "吉克", "沙马"}
    again = _send(app, COORDINATOR, Input("button", yes.data, COORDINATOR, COORDINATOR))
    assert "登记好了" not in again.replies[0].text   # the offer was used: a stale button
    resent = _send(app, COORDINATOR, Input("file", "", COORDINATOR, COORDINATOR,
                                           file_name="民主村.xlsx", file=SHEET))
    assert not any(r.buttons for r in resent.replies)   # nobody new to register
    assert len(applicant_names(app.deps.staff, COORDINATOR)) == 3
