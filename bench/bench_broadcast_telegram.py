"""A fair to 10,000 subscribers through the fake Bot API over HTTP, faults injected, one SIGKILL.

Run from the project root: ``.venv/bin/python bench/bench_broadcast_telegram.py [--db URL]``.
The same run as ``tests/test_broadcast_e2e.py`` at full size: the sender is a separate process
(``python -m bot.adapters.telegram.broadcast_worker``) posting with python-telegram-bot to the fake Bot
API served on loopback, which answers 5 % of attempts 429 (``retry_after`` scaled down), 2 %
5xx and 1 % of chats 403. It is killed with SIGKILL when half are delivered and restarted.
The rate is measured at the server: sendMessage attempts per second of "open" time (outside
429 pauses), as a fraction of the configured limit.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from bench_broadcast import open_rate  # noqa: E402
from fakebotapi import FakeBotApiServer  # noqa: E402
from test_broadcast_e2e import Faults, check_exactly_once, run_with_kill, subscribe  # noqa: E402


class TimedFaults(Faults):
    """Faults that also log every sendMessage attempt: start, answer, chat, outcome."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.log: list[tuple[float, float, int, str]] = []

    def __call__(self, method: str, params: dict):
        started = time.monotonic()
        answer = super().__call__(method, params)
        if method == "sendMessage":
            outcome = {None: "ok", 429: "RetryLater", 502: "Transient", 403: "Blocked"}[
                answer and answer[0]]
            with self.lock:
                self.log.append((started, time.monotonic(), params["chat_id"], outcome))
        return answer


def phases(log: list, at_kill_time: float) -> dict[str, list]:
    """The attempt log split at the kill."""
    log = sorted(log)
    return {"before the kill": [line for line in log if line[0] < at_kill_time],
            "after the restart": [line for line in log if line[0] >= at_kill_time]}


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp dir)")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=260.0, help="configured limit, msgs/s")
    parser.add_argument("--retry-after", type=float, default=0.02)
    parser.add_argument("--latency", type=float, default=0.01, help="fake Bot API answer time")
    parser.add_argument("--in-flight", type=int, default=12)
    args = parser.parse_args()
    db_url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bot.sqlite3'}"
    server = FakeBotApiServer().start()
    server.httpd.handle_error = lambda *_: None  # the killed sender's reset connections: expected
    faults = TimedFaults(retry_after=args.retry_after, latency=args.latency)
    server.api.fault = faults
    try:
        fair_id = subscribe(db_url, server.api, args.count)
        started = time.monotonic()
        run = run_with_kill(db_url, server, args.count, args.rate, args.in_flight)
        wall = time.monotonic() - started
        report = check_exactly_once(db_url, fair_id, server.api, faults, args.count)
    finally:
        server.stop()
    _print(args, faults, run, report, wall)


def _print(args, faults: TimedFaults, run: dict, report: dict, wall: float) -> None:
    """The figures."""
    restart_at = run["restarted_at"]
    print(f"{args.count} subscribers, limit {args.rate:g}/s, retry_after {args.retry_after} s, "
          f"answer time {args.latency} s, {args.in_flight} in flight")
    for name, part in phases(faults.log, restart_at).items():
        attempts, open_seconds = open_rate(part, args.retry_after)
        rate = attempts / open_seconds
        print(f"  {name}: {attempts} attempts in {open_seconds:.2f} s open time -> "
              f"{rate:.1f}/s = {rate / args.rate:.3f} of the limit")
    ok = sum(line[3] == "ok" for line in faults.log)
    print(f"  attempts: ok {ok} / 429 {faults.seen['429']} / 5xx {faults.seen['5xx']}"
          f" / 403 {faults.seen['403']}")
    print(f"  wall time (kill and restart included): {wall:.1f} s")
    progress = report["progress"]
    print("  final rows: sent {sent} / blocked {blocked} / uncertain {uncertain} / failed {failed}"
          " / left {left}".format(**progress))
    print(f"  delivered at the kill: {run['at_kill']}; uncertain rows: {report['uncertain']}")
    print("  exactly once: every non-blocking subscriber got the fair once (uncertain: at most "
          "once), nobody twice, blocked users unsubscribed: PASSED")


if __name__ == "__main__":
    main()
