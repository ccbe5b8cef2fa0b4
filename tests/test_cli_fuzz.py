"""Fuzzing `evaluate` with generated bad files: exit 0 or 2 only, never a traceback, bounded
time (each call under 2 s) and memory (real runs under a 1 GiB address-space limit).

Most examples call the CLI's main() in this process with captured streams (an exception
escaping main() is the traceback a user would see and fails the test); a few run the real
command as a subprocess. Total runtime stays well under a minute.
"""
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.core.facts import catalogue

ROOT = Path(__file__).resolve().parent.parent
CALL_SECONDS = 2.0
MEMORY_LIMIT = 1 << 30  # bytes of address space for a real run
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None, suppress_health_check=list(HealthCheck))

# Keys: the vocabulary, the special ones, and anything at all.
KEYS = st.one_of(
    st.sampled_from([*catalogue(), "as_of", "origin_city", "origin_province"]),
    st.text(max_size=60),
)
UNICODE = st.text(st.characters(categories=["L", "N", "P", "S", "Z", "C"]), max_size=80)  # "C": Cs surrogates too
SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(), st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    UNICODE,
    st.sampled_from(["马边", "朝阳", "兵团十四师四十七团", "poverty_alleviated", "intermediate",
                     "2024-02-01", "9999-12-31", "0001-01-01", "2024-13-45", "浙江", "绍兴", "柯桥"]),
    st.dates().map(str),
)
STRUCTURES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12
)
FACTS = st.dictionaries(KEYS, STRUCTURES, max_size=6) | STRUCTURES


def _typed(spec: dict) -> st.SearchStrategy:
    """Values of a fact's declared type, in and a little out of its range."""
    kind = spec.get("type")
    if kind == "enum":
        return st.sampled_from(spec["choices"])
    if kind == "bool":
        return st.booleans()
    if kind == "date":
        return st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat)
    if kind in ("int", "number"):
        low, high = spec.get("min", 0), spec.get("max", 10**9)
        numbers = st.integers(low - 1, high + 1)
        return numbers | st.floats(low, high) if kind == "number" else numbers
    return st.sampled_from(["马边", "沐川县", "朝阳区", "友谊县", "察右后旗", "47团", "浙江", "绍兴", "柯桥区",
                            "北京", "重庆", "黑龙江", "四川乐山马边", "mabian"])


PLAUSIBLE = st.fixed_dictionaries({}, optional={
    **{key: st.one_of(*[_typed(spec)] * 9, SCALARS) for key, spec in catalogue().items()},  # 1 in 10 odd
    "as_of": st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat),
})
YAMLISH = st.lists(
    st.sampled_from(["{", "}", "[", "]", ":", ": ", ",", "- ", "&a ", "*a", "!!", "|", ">", "'", '"', "#",
                     "\n", "  ", "\t", "null", "~", "true", "1e999", "0x1F", "2024-02-30", "9" * 30,
                     "origin_county", "as_of", "马边", "\\ud800", "\\u0000", "<<", "? ", "---", "..."]),
    max_size=80,
).map("".join)


def serialised(data, how: str) -> bytes:
    """A structure written as JSON (surrogates escaped) or YAML (which may refuse it)."""
    if how == "json":
        return json.dumps(data, ensure_ascii=True, default=str).encode()
    try:
        return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, ValueError):
        return json.dumps(data, ensure_ascii=True, default=str).encode()


def run_in_process(tmp: Path, data: bytes, *options: str) -> tuple[int, str, str]:
    """main() on a file; an exception escaping it fails the test with its traceback."""
    path = tmp / "facts"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["evaluate", str(path), *options])
    assert time.perf_counter() - started < CALL_SECONDS
    return status, out.getvalue(), err.getvalue()


def check_outcome(status: int, stdout: str, stderr: str) -> None:
    assert status in (0, 2), stderr[:500]
    assert "Traceback" not in stderr
    if status == 2:
        assert stdout == "" and len(stderr.strip().splitlines()) == 1, stderr[:500]
        assert len(stderr) < 400
    else:
        assert stderr == ""
        assert "results" in json.loads(stdout)
    stdout.encode("utf-8")  # valid UTF-8: no lone surrogate reaches the output
    stderr.encode("utf-8")


@FUZZ
@given(data=FACTS, how=st.sampled_from(["json", "yaml"]))
def test_generated_structures(tmp_path_factory, data, how):
    check_outcome(*run_in_process(tmp_path_factory.mktemp("f"), serialised(data, how), "--json"))


@FUZZ
@given(text=YAMLISH)
def test_generated_yaml_like_text(tmp_path_factory, text):
    check_outcome(*run_in_process(tmp_path_factory.mktemp("f"), text.encode("utf-8", "surrogatepass"), "--json"))


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(tmp_path_factory, data):
    check_outcome(*run_in_process(tmp_path_factory.mktemp("f"), data, "--json"))


@FUZZ
@given(data=PLAUSIBLE, how=st.sampled_from(["json", "yaml"]))
def test_plausible_facts(tmp_path_factory, data, how):
    """Known keys with values of their type (some out of range): evaluated or refused."""
    check_outcome(*run_in_process(tmp_path_factory.mktemp("f"), serialised(data, how), "--json"))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=PLAUSIBLE)
def test_plain_text_output_of_vocabulary_facts(tmp_path_factory, data):
    """Facts with known keys and odd values, through the plain-text view."""
    status, stdout, stderr = run_in_process(tmp_path_factory.mktemp("f"), serialised(data, "json"))
    assert status in (0, 2) and "Traceback" not in stderr
    assert (status == 0) == bool(stdout) and (status == 2) == bool(stderr)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(data: bytes) -> subprocess.CompletedProcess:
    """The real command under a 1 GiB address-space limit, the file on standard input."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "evaluate", "-", "--json"], check=False, input=data,
        capture_output=True, cwd=ROOT, timeout=30, preexec_fn=_limit_memory,
    )
    assert time.perf_counter() - started < CALL_SECONDS
    return proc


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.one_of(
    FACTS.map(lambda d: serialised(d, "json")), YAMLISH.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=400),
    st.sampled_from([b"[" * 100_000, b"- " * 100_000, b"x" * 2_000_000, b"9" * 900_000,
                     b"a: &a [" + b"1," * 1000 + b"1]\nb: [" + b"*a," * 1000 + b"*a]\n"]),
))
def test_real_runs_stay_within_memory_and_time(data):
    proc = run_limited(data)
    stderr = proc.stderr.decode("utf-8")
    check_outcome(proc.returncode, proc.stdout.decode("utf-8"), stderr)
