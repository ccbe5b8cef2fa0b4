"""Column titles of coordinators' sheets: tuned cases (headers.yaml) and the held-out set."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.ledger_headers import find_header_row, map_headers, read_title

CASES = Path(__file__).parent / "cases" / "ledger"
TUNED = yaml.safe_load((CASES / "headers.yaml").read_text(encoding="utf-8"))
HELD_OUT = yaml.safe_load((CASES / "headers_heldout.yaml").read_text(encoding="utf-8"))
HELD_OUT_FLOOR = 0.75


@pytest.mark.parametrize("case", TUNED, ids=[repr(c["header"]) for c in TUNED])
def test_tuned_header(case):
    assert read_title(case["header"])[0] == case["field"]


def test_held_out_headers(capsys):
    """Reported as measured; the floor only guards against a collapse."""
    misses = [c for c in HELD_OUT if read_title(c["header"])[0] != c["field"]]
    rate = 1 - len(misses) / len(HELD_OUT)
    with capsys.disabled():
        print(f"\nheld-out headers: {len(HELD_OUT) - len(misses)}/{len(HELD_OUT)} = {rate:.2f}")
    assert rate >= HELD_OUT_FLOOR, misses


def test_years_in_brackets_mark_a_duration_in_years():
    assert read_title("合同期限（年）") == ("contract_months", True)
    assert read_title("合同期限（月）") == ("contract_months", False)


def test_header_row_need_not_be_the_first():
    rows = [["2026年马边县务工人员台账"], [None, None], ["序号", "备注"], ["序号", "姓名", "户籍县", "性别"]]
    assert find_header_row(rows) == 3


def test_no_header_row():
    assert find_header_row([["a", "b"], [1, 2], ["金额", "状态"]]) is None


def test_unmapped_and_duplicate_columns_are_named():
    found = map_headers(["姓名", "性别", "社保月数", "参保月数", "务工省份", "务工城市", None])
    assert found.unmapped() == ["性别"]
    assert found.duplicates() == ["参保月数"]
    columns = found.fact_columns()
    assert [c.title for c in columns["social_insurance_months"]] == ["社保月数"]
    assert [c.title for c in columns["work_place"]] == ["务工省份", "务工城市"]


def test_every_field_of_the_synonyms_file_is_a_fact_or_a_known_column():
    from bot.core.facts import catalogue
    from bot.core.ledger_headers import NOT_READ, PLACE_PARTS, _table

    known = set(catalogue()) | set(PLACE_PARTS) | NOT_READ
    assert [field for field, _, _ in _table() if field not in known] == []
    # the sheet's own added columns read back as ours
    from bot.core.render import text
    from bot.staff.ledger_write import ADDED

    assert {read_title(text(f"ledger.col.{key}"))[0] for key in ADDED} == {"checked"}
