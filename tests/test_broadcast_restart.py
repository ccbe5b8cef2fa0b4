"""Crash safety with real processes: SIGKILL half-way then restart; two senders on one outbox."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from broadcast_worker import BACKENDS, database_url, make_fair

from bot.broadcast import open_outbox
from bot.broadcast.simulate import FakeTelegram, Faults, count_deliveries, read_deliveries

WORKER = Path(__file__).with_name("broadcast_worker.py")
RECIPIENTS = 1200
FAULTS = ["--blocked", "0.03", "--server-error", "0.05", "--seed", "3"]


def _worker(url: str, log: Path, *extra: str) -> list[str]:
    return [sys.executable, str(WORKER), url, str(log), "--rate", "800", "--latency", "0.01",
            *FAULTS, *extra]


def _prepare(url: str) -> int:
    outbox = open_outbox(url)
    fair_id = make_fair(outbox)
    outbox.enqueue(fair_id, [(user, user) for user in range(1, RECIPIENTS + 1)])
    outbox.close()
    return fair_id


def _wait_for(predicate, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _check_exactly_once(url: str, fair_id: int, log: Path) -> dict:
    """Every recipient is in a final state; sent once, blocked never, uncertain at most once."""
    outbox = open_outbox(url)
    report = outbox.delivery_report(fair_id)
    outbox.close()
    delivered = read_deliveries(log)
    blocked = {u for u in range(1, RECIPIENTS + 1)
               if FakeTelegram(Faults(blocked=0.03, seed=3)).is_blocked(u)}
    uncertain = set(report["uncertain"])
    assert report["progress"]["left"] == 0 and report["progress"]["total"] == RECIPIENTS
    assert set(report["blocked"]) == blocked and not report["failed"]
    assert max(delivered.values()) == 1
    assert set(delivered) - uncertain == set(range(1, RECIPIENTS + 1)) - blocked - uncertain
    assert report["progress"]["sent"] == RECIPIENTS - len(blocked) - len(uncertain)
    return report


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_half_way_then_restart_sends_nothing_twice(backend, tmp_path) -> None:
    with database_url(backend, tmp_path) as url:
        fair_id = _prepare(url)
        log = tmp_path / "delivered.log"
        first = subprocess.Popen(_worker(url, log), stdout=subprocess.PIPE)
        _wait_for(lambda: count_deliveries(log) >= RECIPIENTS // 2)
        first.send_signal(signal.SIGKILL)
        assert first.wait() == -signal.SIGKILL
        half = count_deliveries(log)
        assert half < RECIPIENTS * 0.9
        second = subprocess.run(_worker(url, log), capture_output=True, text=True, timeout=120,
                                check=False)
        assert second.returncode == 0, second.stderr
        restarted = json.loads(second.stdout)
        report = _check_exactly_once(url, fair_id, log)
        assert report["uncertain"] and sorted(restarted["uncertain"]) == report["uncertain"]
        assert restarted["attempts"] < RECIPIENTS - half + 100


def test_two_sender_processes_share_one_postgres_outbox(tmp_path) -> None:
    with database_url("postgresql", tmp_path) as url:
        fair_id = _prepare(url)
        log, go = tmp_path / "delivered.log", tmp_path / "go"
        ready = [tmp_path / "ready-a", tmp_path / "ready-b"]
        workers = [subprocess.Popen(_worker(url, log, "--ready", str(flag), "--go", str(go)),
                                    stdout=subprocess.PIPE, text=True) for flag in ready]
        _wait_for(lambda: all(flag.exists() for flag in ready))
        go.touch()
        outputs = [json.loads(worker.communicate(timeout=120)[0]) for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0]
        report = _check_exactly_once(url, fair_id, log)
        assert report["uncertain"] == []
        assert all(out["sent"] > RECIPIENTS // 10 for out in outputs)
        assert sum(out["sent"] for out in outputs) == report["progress"]["sent"]
