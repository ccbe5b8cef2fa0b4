"""`python -m bot ledger evaluate`: the coordinator's rows come back untouched, in order, none
dropped; unreadable files and sheets without a header exit 2 with one line; the bot's own
实名制台账 export is read back."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from bot.core.ledger_headers import map_headers
from bot.core.ledger_rows import RowOutcome
from bot.core.render import text
from bot.staff.applicants import Applicant
from bot.staff.assessment import Assessment
from bot.staff.ledger import workbook_bytes
from bot.staff.ledger_sheet import evaluate_ledger_bytes
from bot.staff.ledger_write import ADDED, write_outcomes
from bot.staff.overview import ApplicantSummary

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-22"
ID_NUMBER = "511133199001011234"
ADDED_TITLES = [text(f"ledger.col.{key}") for key in ADDED]


def run_bot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], check=False, capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def _coordinator_book(path: Path) -> None:
    """A sheet as coordinators keep them: a title row, merged cells, colours, a formula, an
    unknown column, a malformed row, a blank row and a second sheet the bot must not touch."""
    book = Workbook()
    sheet = book.active
    sheet.title = "外出务工台账"
    sheet.append(["马边县2026年外出务工人员台账"])
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "姓名", "身份证号", "户籍县", "人员类别", "务工地", "开始工作时间",
                  "首次来务工地时间", "社保月数", "是否自行租房", "性别"])
    sheet.append([1, "王大力", ID_NUMBER, "马边", "脱贫户", "浙江绍兴柯桥", datetime(2024, 3, 1),
                  "2024年3月", 30, "是", "男"])
    sheet.append([2, "=\"李\"&\"二\"", "x", "朝阳", "脱贫", "北京朝阳", "2024.13", None, -3, "也许", "女"])
    sheet.append([])
    sheet.append([4, "赵四", None, "峨边", "脱贫户", "绍兴柯桥", datetime(2023, 5, 1), "2023年5月", "=12*3",
                  "否", "男"])
    sheet["B3"].fill = PatternFill("solid", fgColor="FFFF00")
    sheet["B3"].font = Font(bold=True, color="FF0000")
    sheet["G3"].number_format = "yyyy年m月"
    sheet["D4"].comment = Comment("户口在哪个朝阳？", "协管员")
    sheet.column_dimensions["B"].width = 17
    other = book.create_sheet("131服务")
    other.append(["姓名", "服务", "日期"])
    other.append(["王大力", "职业指导", datetime(2026, 9, 1)])
    book.save(path)
    _cache_formula_result(path, "12*3", "36")


def _cache_formula_result(path: Path, formula: str, value: str) -> None:
    """Store a formula's computed value in the file, as Excel and WPS do on saving (openpyxl
    writes formulas without one)."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{value}</v>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)


def _cells(sheet, max_column: int | None = None) -> list[list]:
    """(value, number format, bold, fill colour) of every cell, row by row."""
    return [[(c.value, c.number_format, c.font.b, c.fill.fgColor.rgb) for c in row[:max_column]]
            for row in sheet.iter_rows()]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledger")
    source, target = folder / "in.xlsx", folder / "out.xlsx"
    _coordinator_book(source)
    proc = run_bot("ledger", "evaluate", str(source), "-o", str(target), "--as-of", AS_OF)
    return source, target, proc


def test_every_row_comes_back_in_order_with_its_own_cells_untouched(checked):
    source, target, proc = checked
    assert proc.returncode == 0, proc.stderr
    before, after = load_workbook(source), load_workbook(target)
    width = before.active.max_column
    assert after.active.title == before.active.title
    assert after.active.max_row == before.active.max_row
    assert _cells(after.active, width) == _cells(before.active, width)
    assert after["131服务"].max_column == 3
    assert _cells(after["131服务"]) == _cells(before["131服务"])
    assert after.active.merged_cells.ranges == before.active.merged_cells.ranges
    assert after.active["D4"].comment.text == "户口在哪个朝阳？"
    assert after.active.column_dimensions["B"].width == 17


def test_added_columns_explain_each_row_and_keep_the_malformed_one(checked):
    _, target, _ = checked
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    header, data = rows[1], rows[2:]
    assert list(header[11:]) == ADDED_TITLES
    added = [dict(zip(ADDED, row[11:], strict=True)) for row in data]
    assert "就业稳岗补贴" in added[0]["claims"] and "一次性3000元" in added[0]["amounts"]
    assert "2026-12-31" in added[0]["deadlines"] and "绍市人社发〔2021〕51号" in added[0]["basis"]
    assert added[0]["problems"] is None
    assert "有好几个地方" in added[1]["problems"] and "2024.13" in added[1]["problems"]
    assert added[1]["claims"] == text("ledger.none")
    assert set(added[2].values()) == {None}                       # the blank row
    assert "就业稳岗补贴" in added[3]["claims"]                     # =12*3 read as 36 months


def test_unmapped_headers_are_reported_and_the_id_number_is_never_echoed(checked):
    _, target, proc = checked
    assert "性别" in proc.stdout and proc.stdout.count("\n") == 1
    book = load_workbook(target)
    notes = [row for row in book[text("ledger.notes.sheet")].iter_rows(values_only=True)]
    assert ("K", "性别", text("ledger.notes.unmapped")) in notes
    added = [c for row in book.active.iter_rows(min_col=12) for c in row if c.value]
    everything = proc.stdout + proc.stderr + repr(notes) + repr([c.value for c in added])
    assert ID_NUMBER not in everything and ID_NUMBER[-6:] not in everything


def test_a_second_run_writes_over_its_own_columns(checked, tmp_path):
    _, target, _ = checked
    again = tmp_path / "again.xlsx"
    proc = run_bot("ledger", "evaluate", str(target), "-o", str(again), "--as-of", AS_OF)
    assert proc.returncode == 0, proc.stderr
    first, second = load_workbook(target), load_workbook(again)
    assert second.sheetnames == first.sheetnames
    assert second.active.max_column == first.active.max_column
    # Row 6 holds a formula: openpyxl saves formulas without their computed value, so a file
    # it wrote reads that cell as unknown until Excel or WPS saves it again.
    rows = [r for at, r in enumerate(_cells(first.active), start=1) if at != 6]
    assert [r for at, r in enumerate(_cells(second.active), start=1) if at != 6] == rows


@pytest.mark.parametrize("content, name, says", [
    (b"name,county\n", "list.csv", "不是 Excel"),
    (b"\xd0\xcf\x11\xe0" + bytes(200), "old.xls", "另存为 .xlsx"),
    (b"PK\x03\x04 broken zip", "broken.xlsx", "不是 Excel"),
])
def test_a_file_that_is_not_xlsx_exits_2_with_one_line(tmp_path, content, name, says):
    source = tmp_path / name
    source.write_bytes(content)
    proc = run_bot("ledger", "evaluate", str(source), "-o", str(tmp_path / "out.xlsx"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and " / " in proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_a_sheet_without_a_header_exits_2(tmp_path):
    source = tmp_path / "numbers.xlsx"
    book = Workbook()
    for row in (["金额", "状态"], [1, 2], ["序号", "备注"]):
        book.active.append(row)
    book.save(source)
    proc = run_bot("ledger", "evaluate", str(source), "-o", str(tmp_path / "out.xlsx"))
    assert proc.returncode == 2 and "没找到表头" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_missing_file_and_unwritable_output_exit_2(tmp_path, checked):
    source, _, _ = checked
    for args in ([str(tmp_path / "none.xlsx"), "-o", str(tmp_path / "o.xlsx")],
                 [str(source), "-o", str(tmp_path / "no" / "such" / "o.xlsx")],
                 [str(source)], [str(source), "-o", "o.xlsx", "--as-of", "22/11/2026"]):
        proc = run_bot("ledger", "evaluate", *args)
        assert proc.returncode == 2, args
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def _summary(name: str, facts: dict, village: str = "甲村") -> ApplicantSummary:
    person = Applicant(id=len(name), coordinator_id=1, name=name, phone="13800000000", village=village,
                       county="马边彝族自治县", city="乐山市", province="四川省",
                       state={"facts": facts, "step": "done"})
    return ApplicantSummary(person, Assessment((), None, "claimable"), ())


def test_the_bots_own_ledger_export_round_trips():
    exported = workbook_bytes([
        _summary("王大力", {"work_province": "浙江省", "work_city": "绍兴市", "work_county": "柯桥区",
                          "employment_start": "2024-03-01", "social_insurance_months": 30}),
        _summary("李二妹", {}),
    ])
    content, report = evaluate_ledger_bytes(exported, "实名制台账.xlsx", date(2026, 11, 22))
    assert report.header.unmapped() == [] and report.header_row == 1
    columns = report.header.fact_columns()
    assert set(columns) == {"origin_county", "work_place", "employment_start", "social_insurance_months"}
    first, second = report.outcomes
    assert first.facts["origin_county"] == "马边彝族自治县" and first.facts["work_county"] == "柯桥区"
    assert first.facts["employment_start"] == "2024-03-01" and first.problems == ()
    assert "first_arrival" in first.missing and "person_category" in first.missing
    assert second.problems == () and "work_province" in second.missing
    before = list(load_workbook(BytesIO(exported)).active.iter_rows(values_only=True))
    after = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert [row[:len(before[0])] for row in after] == before


def test_the_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`python -m bot ledger evaluate IN.xlsx -o OUT.xlsx [--as-of D]`" in readme
    assert "bench_ledger.py" in readme and "## ledger" in (ROOT / "bench/README.md").read_text("utf-8")


def test_control_characters_echoed_in_a_problem_do_not_break_the_written_copy():
    """Excel keeps control characters in cells (as _x0007_); openpyxl refuses to write them."""
    book = Workbook()
    book.active.append(["姓名", "户籍县"])
    book.active.append(["甲", "马边"])
    header = map_headers(["姓名", "户籍县"])
    write_outcomes(book.active, 1, header, (RowOutcome(problems=("户籍县：“马\x07边”看不懂",)),))
    assert book.active.cell(row=2, column=8).value == "户籍县：“马边”看不懂"
