"""The coordinator's spreadsheet, row by row: the cases of cases/ledger/rows.yaml run through
the whole workbook path (an .xlsx is written, checked, and read back)."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from bot.core.ledger_headers import map_headers
from bot.core.ledger_rows import evaluate_rows, missing_labels
from bot.core.render import text
from bot.staff.ledger_sheet import evaluate_ledger_bytes
from bot.staff.ledger_write import ADDED

CASES = yaml.safe_load((Path(__file__).parent / "cases/ledger/rows.yaml").read_text(encoding="utf-8"))
ADDED_TITLES = [text(f"ledger.col.{key}") for key in ADDED]


def _workbook(headers: list, rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _added_cells(content: bytes, headers: list) -> list[dict]:
    """The added columns of every data row, by key."""
    sheet = load_workbook(BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    at = {title: i for i, title in enumerate(rows[0])}
    assert list(rows[0][:len(headers)]) == [str(h) for h in headers]
    return [{key: row[at[title]] for key, title in zip(ADDED, ADDED_TITLES, strict=True)} for row in rows[1:]]


def _check_claims(expected: dict, outcome) -> None:
    found = {c.rule: c for c in outcome.claims}
    assert sorted(found) == sorted(expected), [c.rule for c in outcome.claims]
    for rule, want in expected.items():
        want = want if isinstance(want, dict) else {"amount": want}
        assert want["amount"] in found[rule].amount, (rule, found[rule].amount)
        if "deadline" in want:
            assert found[rule].deadline == want["deadline"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_rows_case(case):
    content, report = evaluate_ledger_bytes(_workbook(case["headers"], case["rows"]), "case.xlsx", case["as_of"])
    assert len(report.outcomes) == len(case["rows"]) == len(case["expect"])
    written = _added_cells(content, case["headers"])
    for outcome, cells, want in zip(report.outcomes, written, case["expect"], strict=True):
        assert outcome.blank is bool(want.get("blank"))
        if outcome.blank:
            assert set(cells.values()) == {None}
            continue
        if "claims" in want:
            _check_claims(want["claims"], outcome)
        for amount in (c.amount for c in outcome.claims):
            assert amount.strip() and amount not in ("0", "0元")
        if "problems" in want:
            assert list(outcome.problems) == want["problems"]
        problems = "\n".join(outcome.problems)
        for words in want.get("problems_include", []):
            assert words in problems, problems
        labels = missing_labels(outcome.missing)
        for label in want.get("missing_include", []):
            assert label in labels, labels
        # the sheet says what the outcome says
        assert cells["claims"] == ("\n".join(c.title for c in outcome.claims) or text("ledger.none"))
        assert (cells["problems"] or "") == problems
        assert (cells["missing"] or "") == "、".join(labels)


CELL = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-10**9, 10**9), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(date(1900, 1, 1), date(2100, 1, 1)),
    st.sampled_from(["马边", "朝阳", "2024年3月", "三个月", "是", "√", "初级", "脱贫户", "浙江绍兴",
                     "2024.13", "-3", "不详", "=A1", "北京", "一年半"]),
)
HEADERS = ["姓名", "户籍县", "人员类别", "务工地", "开始工作时间", "首次来务工地时间", "社保月数",
           "是否自行租房", "证书等级", "合同期限（年）", "往返车费", "带动就业人数"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=len(HEADERS), max_size=len(HEADERS)), min_size=1, max_size=4))
def test_any_cells_give_one_outcome_per_row_never_an_error(rows):
    outcomes = list(evaluate_rows(map_headers(HEADERS), rows, date(2026, 11, 22)))
    assert len(outcomes) == len(rows)
    for outcome in outcomes:
        assert all(isinstance(p, str) and p for p in outcome.problems)


def test_datetime_cells_and_excel_day_numbers_are_dates():
    header = map_headers(["户籍县", "开始工作时间", "首次来务工地时间"])
    rows = [["马边", datetime(2024, 3, 1, 8, 30), 45352], ["马边", 202403, 20240301]]
    facts = [o.facts for o in evaluate_rows(header, rows, date(2026, 11, 22))]
    assert facts[0]["employment_start"] == "2024-03-01" and facts[0]["first_arrival"] == "2024-03-01"
    assert facts[1]["employment_start"] == "2024-03-01" and facts[1]["first_arrival"] == "2024-03-01"


def test_years_column_and_place_parts_in_several_columns():
    header = map_headers(["户籍省", "户籍县", "务工省份", "务工城市", "务工县区", "合同期限（年）"])
    [outcome] = evaluate_rows(header, [["四川", "马边", "浙江", "绍兴", "柯桥", 2]], date(2026, 11, 22))
    assert outcome.problems == ()
    assert outcome.facts["origin_county"] == "马边彝族自治县"
    assert (outcome.facts["work_city"], outcome.facts["work_county"]) == ("绍兴市", "柯桥区")
    assert outcome.facts["contract_months"] == 24


def test_a_length_in_the_start_column_is_read_as_months_like_in_the_chat():
    header = map_headers(["户籍县", "开始工作时间"])
    [outcome] = evaluate_rows(header, [["马边", "干了两年"]], date(2026, 11, 22))
    assert outcome.problems == () and outcome.facts["months_employed"] == 24


LEDGER_SAMPLE = {"title": "户籍县", "message": "没找到“火星县”这个县。", "value": "2024.13", "year": "2024",
                 "low": 0, "high": 600, "choices": "脱贫户、监测户", "rows": 3, "with_claims": 1,
                 "with_problems": 1, "unmapped": ["性别"], "out": "out.xlsx", "name": "in.xlsx",
                 "old": True, "number": "绍市人社发〔2021〕51号", "clause": "第三（一）条"}


@pytest.mark.parametrize("key", sorted(yaml.safe_load(
    (Path(__file__).parent.parent / "templates/zh/ledger.yaml").read_text(encoding="utf-8"))))
def test_every_ledger_string_renders(key):
    rendered = text(key, **LEDGER_SAMPLE)
    assert rendered and "{{" not in rendered and "{%" not in rendered


def test_an_open_ended_contract_meets_every_length():
    header = map_headers(["户籍县", "合同期限"])
    [outcome] = evaluate_rows(header, [["马边", "无固定期限劳动合同"]], date(2026, 11, 22))
    assert outcome.problems == () and outcome.facts["contract_months"] >= 12 * 10
