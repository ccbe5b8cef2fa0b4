"""Bad facts files (tests/cases/bad_input.yaml): exit 2, one clipped line, under a second, no traceback."""
import contextlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((ROOT / "tests/cases/bad_input.yaml").read_text(encoding="utf-8"))
LONGEST_LINE = 300  # characters: a refusal quotes at most 40 of the bad value


def _digits(count: int, sign: str = "") -> bytes:
    return json.dumps({"social_insurance_months": 0}).replace("0", sign + "1" + "0" * (count - 1)).encode()


GENERATORS = {
    "digits_400": lambda: _digits(400),
    "negative_digits_400": lambda: _digits(400, "-"),
    "digits_5000": lambda: _digits(5000),
    "yaml_digits_400": lambda: b"rural_employees: 1" + b"0" * 399 + b"\n",
    "brackets_100000": lambda: b"[" * 100_000,
    "braces_in_value_100000": lambda: b'{"origin_county": ' + b"{" * 100_000,
    "yaml_dashes_100000": lambda: b"- " * 100_000,
    "yaml_indent_60": lambda: "".join(" " * i + f"k{i}:\n" for i in range(60)).encode(),
    "invalid_utf8": lambda: b'{"origin_county": "\xff\xfe\xa0"}',
    "latin1": lambda: '{"origin_county": "Münster"}'.encode("latin-1"),
    "huge_2mb": lambda: b'{"origin_county": "' + b"x" * 2_000_000 + b'"}',
    "many_keys": lambda: json.dumps({f"k{i}": i for i in range(5000)}).encode(),
}


def case_bytes(case: dict) -> bytes:
    """The facts file of a case: its raw text, its facts as JSON, or a generated file."""
    if "generator" in case:
        return GENERATORS[case["generator"]]()
    if "raw" in case:
        return case["raw"].encode("utf-8")
    return json.dumps(case["facts"], ensure_ascii=False).encode("utf-8")


def run_in_process(path: Path) -> tuple[int, str, str, float]:
    """main() on a file with captured streams: exit status, stdout, stderr, seconds."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["evaluate", str(path), "--json"])
    return status, out.getvalue(), err.getvalue(), time.perf_counter() - started


def assert_refused(status: int, stdout: str, stderr: str, case: dict) -> None:
    assert status == 2, stdout[:300] + stderr[:300]
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and " / " in lines[0], stderr[:500]
    assert len(lines[0]) < LONGEST_LINE, lines[0]
    if "message_has" in case:
        assert str(case["message_has"]) in lines[0]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_file_is_refused_in_one_line_under_a_second(case, tmp_path):
    path = tmp_path / "facts"
    path.write_bytes(case_bytes(case))
    status, stdout, stderr, seconds = run_in_process(path)
    assert_refused(status, stdout, stderr, case)
    assert seconds < 1.0, f"{seconds:.2f} s"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_on_standard_input_is_refused(case):
    """The real command, the file on standard input: same refusal, valid UTF-8 on stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "evaluate", "-", "--json"], check=False, input=case_bytes(case),
        capture_output=True, cwd=ROOT, timeout=60,
    )
    stderr = proc.stderr.decode("utf-8")  # raises if the message is not valid UTF-8
    assert_refused(proc.returncode, proc.stdout.decode("utf-8"), stderr, case)
