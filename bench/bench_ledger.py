"""Print how long `python -m bot ledger evaluate` takes on 10,000 rows (not a test).

Run: .venv/bin/python bench/bench_ledger.py [--rows 10000] [--seed 7]
Goal: 10,000 rows in under 30 s. Baseline, in the same run: opening and saving the same
workbook with openpyxl and nothing else, i.e. the part no evaluation can save.

The rows are generated (seeded) the way coordinators fill them in: eleven counties (the
documents' areas and some they do not cover), dates as Excel dates or typed text, months as
numbers or words, yes/no as words or ticks, and about 3 % malformed cells.
"""
from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook

from bot.core.ledger_headers import map_headers
from bot.core.ledger_rows import evaluate_rows

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 22)
HEADERS = ["序号", "姓名", "身份证号", "性别", "户籍县", "村", "人员类别", "务工地", "开始工作时间",
           "首次来务工地时间", "社保月数", "是否自行租房", "证书等级", "往返车费", "联系电话", "备注"]
COUNTIES = ["马边", "峨边彝族自治县", "金口河区", "四川沐川", "科左后旗", "察右后旗", "卓资县",
            "友谊县", "重庆酉阳", "奈曼旗", "河南兰考"]
WORK = ["浙江绍兴柯桥", "绍兴越城", "诸暨", "上虞区", "北京朝阳", "北京海淀", "广东东莞",
        "浙江杭州", "通辽科尔沁", "山东青岛", "重庆渝北"]
CATEGORIES = ["脱贫户", "脱贫人口", "监测户", "边缘易致贫户", "低保户", "一般农户", "建档立卡户"]
MALFORMED = {"户籍县": "朝阳", "开始工作时间": "2024.13", "社保月数": "-3", "是否自行租房": "也许"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def _month(rng: random.Random) -> date:
    return date(rng.randint(2019, 2026), rng.randint(1, 10), 1)


def _date_cell(rng: random.Random, day: date) -> object:
    """An Excel date, or text as typed: 2024年3月, 2024.3, 2024-03-01."""
    return rng.choice([datetime(day.year, day.month, day.day), f"{day.year}年{day.month}月",
                       f"{day.year}.{day.month}", day.isoformat()])


def person(rng: random.Random, number: int) -> list:
    """One generated row, in HEADERS order."""
    start = _month(rng)
    months = rng.randint(0, 60)
    row = [number, rng.choice(SURNAMES) + rng.choice("大小二三四五六七八九") + rng.choice("明华强军花兰芳"),
           f"5111{rng.randint(10, 99)}19{rng.randint(60, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}{rng.randint(1000, 9999)}",
           rng.choice("男女"), rng.choice(COUNTIES), rng.choice("甲乙丙丁") + "村",
           rng.choice(CATEGORIES), rng.choice(WORK), _date_cell(rng, start),
           rng.choice([None, _date_cell(rng, start), _date_cell(rng, _month(rng))]),
           rng.choice([months, f"{months}个月", "三个月", "一年半", None]),
           rng.choice(["是", "否", "√", None, "宿舍"]), rng.choice(["初级", "中级", "无", None, "高级工"]),
           rng.choice([None, 380, "三百八", "520元"]),
           f"13{rng.randint(100000000, 999999999)}", rng.choice([None, "", "已电话联系"])]
    if rng.random() < 0.03:
        column = rng.choice(sorted(MALFORMED))
        row[HEADERS.index(column)] = MALFORMED[column]
    return row


def write_workbook(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年外出务工人员实名制台账"])
    sheet.append(HEADERS)
    for number in range(1, rows + 1):
        sheet.append(person(rng, number))
    book.save(path)


def _timed(call) -> tuple[float, float]:
    """(wall, CPU) seconds of one call, CPU counting this process and its children."""
    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    wall, used = time.perf_counter(), cpu()
    call()
    return time.perf_counter() - wall, cpu() - used


def _line(what: str, seconds: tuple[float, float], rows: int) -> str:
    wall, cpu = seconds
    return f"{what:<42} wall {wall:6.2f} s   CPU {cpu:6.2f} s   ({cpu / rows * 1000:.2f} ms CPU/row)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source, plain, checked = (Path(folder) / n for n in ("in.xlsx", "plain.xlsx", "out.xlsx"))
        write_workbook(source, args.rows, args.seed)
        baseline = _timed(lambda: load_workbook(source).save(plain))
        rows = list(load_workbook(source).active.iter_rows(min_row=3, values_only=True))
        header = map_headers(HEADERS)
        evaluation = _timed(lambda: list(evaluate_rows(header, rows, AS_OF)))
        command = [sys.executable, "-m", "bot", "ledger", "evaluate", str(source), "-o", str(checked),
                   "--as-of", AS_OF.isoformat()]
        proc = None

        def run() -> None:
            nonlocal proc
            proc = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)

        whole = _timed(run)
    print(f"rows: {args.rows}; {proc.stdout.strip()}")
    print(_line("baseline: openpyxl open + save only", baseline, args.rows))
    print(_line("evaluating the rows only (in process)", evaluation, args.rows))
    print(_line("`python -m bot ledger evaluate`, whole", whole, args.rows))
    verdict = "met" if whole[0] < 30 else "NOT met"
    print(f"goal: 10,000 rows < 30 s wall: {verdict}; whole/baseline: {whole[0] / baseline[0]:.1f}x wall, "
          f"{whole[1] / baseline[1]:.1f}x CPU")


if __name__ == "__main__":
    main()
