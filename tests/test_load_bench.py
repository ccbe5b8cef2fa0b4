"""The load bench's machinery at tiny scale: a few workers through two webhook processes on one
PostgreSQL, then through one; every reply arrives, once, in the reference order."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_load import load_run  # bench/ is put on sys.path above

WORKERS = 5
STEPS = 10  # inputs of tests/interview_script.py


def test_few_workers_two_processes_and_one_lose_nothing_and_keep_order(tmp_path):
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL not set (./dev test sets it)")
    results = load_run(WORKERS, ["two", "one"], url, timeout=60.0, logs=tmp_path)
    for result in results:
        assert result["updates"] == result["posted"] == WORKERS * STEPS, result
        assert (result["lost"], result["out_of_order"], result["extra"]) == (0, 0, 0), result
        assert result["refused"] == result["rejected_calls"] == 0, result
        assert result["per_second"] > 0 and result["p95_ms"] >= result["p50_ms"] > 0, result
    assert [result["processes"] for result in results] == [2, 1]
