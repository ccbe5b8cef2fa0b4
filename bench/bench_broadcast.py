"""Broadcast delivery benchmark: 10,000 fake subscribers, injected faults, one SIGKILL half-way.

Run from the project root: ``.venv/bin/python bench/bench_broadcast.py [--db URL]``.
A sender process drains the outbox through a fake Telegram that answers 429 (with
``retry_after``), 5xx and 403 at the configured shares; the benchmark kills it with SIGKILL
when half the messages went out, starts a fresh one and lets it finish. Each attempt is logged
with its monotonic time, so the send rate is measured from the log, outside the sender: sends
per second of "open" time (time not inside a 429 pause, between the first attempt and the
last first attempt), as a fraction of the configured limit.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.broadcast import Sender, SenderConfig, SendOutcome, open_outbox
from bot.broadcast.simulate import FakeTelegram, Faults, count_deliveries, read_deliveries

FAULTS = {"flood": 0.05, "server_error": 0.02, "blocked": 0.01}


class TimedFake(FakeTelegram):
    """A FakeTelegram that also logs every attempt: monotonic time, chat, outcome."""

    def __init__(self, *args, attempts_path: Path, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._attempts = os.open(attempts_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    async def send_message(self, chat_id: int, text: str,
                           reply_markup: str | None = None) -> SendOutcome | None:
        started = time.monotonic()
        outcome = await super().send_message(chat_id, text, reply_markup)
        line = (f"{started:.6f} {time.monotonic():.6f} {chat_id} "
                f"{'ok' if outcome is None else type(outcome).__name__}\n")
        os.write(self._attempts, line.encode())
        return outcome


def worker(args: argparse.Namespace) -> None:
    """One sender process: drain the outbox, print stats as JSON."""
    outbox = open_outbox(args.db)
    faults = Faults(flood_seconds=args.retry_after, seed=args.seed, **FAULTS)
    fake = TimedFake(faults, latency=args.latency, log_path=args.dir / "delivered.log",
                     attempts_path=args.dir / "attempts.log")
    config = SenderConfig(rate=args.rate, max_in_flight=args.in_flight, backoff_base=0.05,
                          backoff_max=1.0, idle_poll=0.1)
    sender = Sender(outbox, fake, lambda fair: f"{fair.title}：{fair.place_or_link}", config=config)
    stats = asyncio.run(sender.run(until_idle=True))
    print(json.dumps({"uncertain": [row["user_id"] for row in stats.uncertain],
                      "attempts": stats.attempts, "elapsed": stats.elapsed}))
    outbox.close()


def prepare(db: str, count: int) -> int:
    """A fair with ``count`` recipients (user ids 1..count, chat id = user id)."""
    outbox = open_outbox(db)
    fair = outbox.create_fair(title="春风行动专场招聘会", starts_at=datetime(2026, 12, 5, tzinfo=UTC),
                              place_or_link="马边县人力资源市场", organiser="马边县人社局",
                              target_counties=["马边彝族自治县"], created_by=1)
    outbox.enqueue(fair.id, [(user, user) for user in range(1, count + 1)])
    outbox.close()
    return fair.id


def open_rate(lines: list[tuple[float, float, int, str]], retry_after: float) -> tuple[int, float]:
    """Attempts started and open seconds up to the last first attempt.

    Open time leaves out the 429 pauses: ``retry_after`` from each 429 answer, overlaps once.
    """
    seen: set[int] = set()
    last_first = lines[0][0]
    for when, _, chat, _ in lines:
        if chat not in seen:
            seen.add(chat)
            last_first = when
    body = [line for line in lines if line[0] <= last_first]
    paused, until = 0.0, lines[0][0]
    answers = sorted((answered, outcome) for _, answered, _, outcome in body)
    for answered, outcome in answers:
        if outcome == "RetryLater":
            end = min(answered + retry_after, last_first)
            paused += max(0.0, end - max(answered, until))
            until = max(until, end)
    return len(body), (last_first - lines[0][0]) - paused


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp dir)")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500.0, help="configured limit, msgs/s")
    parser.add_argument("--retry-after", type=float, default=0.02)
    parser.add_argument("--latency", type=float, default=0.02, help="fake Bot API answer time")
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.db and args.db.startswith("postgresql"):
            with postgres_schema(args.db) as url:
                run(args, Path(tmp), url)
        else:
            run(args, Path(tmp), args.db or f"sqlite:///{Path(tmp) / 'outbox.sqlite3'}")


@contextmanager
def postgres_schema(url: str):
    """A scratch schema for the run (dropped afterwards), so no one else's rows are touched."""
    import sqlalchemy

    schema = f"bench_broadcast_{os.getpid()}"
    admin = sqlalchemy.create_engine(url)
    with admin.begin() as db:
        db.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as db:
            db.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(args: argparse.Namespace, tmp: Path, db: str) -> None:
    """Prepare, send, kill, restart, finish, then report."""
    fair_id = prepare(db, args.count)
    command = [sys.executable, __file__, "--worker", "--db", db, "--dir", str(tmp),
               "--rate", str(args.rate), "--retry-after", str(args.retry_after),
               "--latency", str(args.latency), "--in-flight", str(args.in_flight),
               "--seed", str(args.seed)]
    started = time.monotonic()
    first = subprocess.Popen(command, stdout=subprocess.PIPE)
    while count_deliveries(tmp / "delivered.log") < args.count // 2:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    second = subprocess.run(command, stdout=subprocess.PIPE, check=True, text=True)
    wall = time.monotonic() - started
    report(args, db, fair_id, tmp, json.loads(second.stdout), killed_at, wall)


def report(args, db: str, fair_id: int, tmp: Path, restarted: dict, killed_at: float,
           wall: float) -> None:
    """Print rate and exactly-once figures."""
    lines = sorted((float(t), float(e), int(c), o) for t, e, c, o in
                   (line.split() for line in (tmp / "attempts.log").read_text().splitlines()))
    before = [line for line in lines if line[0] < killed_at]
    after = [line for line in lines if line[0] >= killed_at]
    delivered = read_deliveries(tmp / "delivered.log")
    outbox = open_outbox(db)
    summary = outbox.delivery_report(fair_id)
    outbox.close()
    uncertain = set(summary["uncertain"])
    twice = sorted(chat for chat, times in delivered.items() if times > 1)
    sent_missing = summary["progress"]["sent"] - sum(1 for c in delivered if c not in uncertain)
    print(f"broadcast bench: {args.count} recipients, limit {args.rate:g}/s, faults {FAULTS}, "
          f"retry_after {args.retry_after}s, fake latency {args.latency}s, db "
          f"{'postgresql' if db.startswith('postgresql') else 'sqlite'}")
    for name, part in (("before kill", before), ("after restart", after)):
        attempts, open_seconds = open_rate(part, args.retry_after)
        rate = attempts / open_seconds
        print(f"  {name}: {attempts} attempts in {open_seconds:.2f} s open time -> "
              f"{rate:.0f}/s = {rate / args.rate:.3f} of the limit")
    starts = [line[0] for line in lines]
    busiest, low = 0, 0
    for high, when in enumerate(starts):
        while starts[low] <= when - 1.0:
            low += 1
        busiest = max(busiest, high - low + 1)
    print(f"  busiest 1-second window: {busiest} attempts (limit {args.rate:g}/s, burst "
          f"{max(1, args.rate / 10):g})")
    counts = Counter(outcome for *_, outcome in lines)
    print(f"  attempts by outcome: {dict(counts)}; wall time {wall:.1f} s (incl. restart); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  outbox: {summary['progress']}")
    print(f"  uncertain after the kill (reported, not resent): {len(uncertain)}, of which "
          f"actually delivered: {sum(1 for u in uncertain if delivered[u])}")
    print(f"  delivered twice: {len(twice)}; sent rows without a delivery: {sent_missing}; "
          f"restart reported {len(restarted['uncertain'])} uncertain")
    lost = summary["progress"]["left"]
    print(f"  exactly-once check: {'PASS' if not twice and not sent_missing and not lost else 'FAIL'}")


if __name__ == "__main__":
    main()
