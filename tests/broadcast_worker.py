"""Helpers for the broadcast tests, and a sender process the kill/restart tests run and kill.

As a script: ``python tests/broadcast_worker.py DB_URL LOG_PATH [--rate R] [--latency S]
[--blocked SHARE] [--server-error SHARE] [--seed N] [--ready PATH --go PATH]`` sends everything due with a FakeTelegram
that logs each delivery to LOG_PATH, then prints the run's stats as JSON.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.broadcast import Outbox, Sender, SenderConfig, open_outbox
from bot.broadcast.simulate import FakeTelegram, Faults

BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'broadcast.sqlite3'}"
        return
    from pgschema import postgres_schema_url

    with postgres_schema_url("bc") as url:
        yield url


def make_fair(outbox: Outbox, title: str = "招聘会") -> int:
    """A fair to send (fields as staff would fill them in)."""
    fair = outbox.create_fair(
        title=title, starts_at=datetime(2026, 12, 5, 1, 30, tzinfo=UTC),
        place_or_link="马边县人力资源市场", organiser="马边县人社局",
        target_counties=["马边彝族自治县"], details="", created_by=1)
    return fair.id


def compose(fair) -> str:
    """The message of a fair, for tests (the real one is rendered from templates)."""
    return f"{fair.title} {fair.place_or_link}"


def main(argv: list[str] | None = None) -> None:
    """Run one sender until the outbox is drained; print its stats as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("db_url")
    parser.add_argument("log_path", type=Path)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--latency", type=float, default=0.005)
    parser.add_argument("--blocked", type=float, default=0.0)
    parser.add_argument("--server-error", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ready", type=Path, help="touch this file once set up")
    parser.add_argument("--go", type=Path, help="then wait for this file before sending")
    args = parser.parse_args(argv)
    outbox = open_outbox(args.db_url)
    if args.ready:
        args.ready.touch()
    while args.go and not args.go.exists():
        time.sleep(0.01)
    fake = FakeTelegram(Faults(blocked=args.blocked, server_error=args.server_error,
                               seed=args.seed), latency=args.latency, log_path=args.log_path)
    config = SenderConfig(rate=args.rate, backoff_base=0.01, backoff_max=0.05, idle_poll=0.05)
    stats = asyncio.run(Sender(outbox, fake, compose, config=config).run(until_idle=True))
    fake.close()
    outbox.close()
    print(json.dumps({"attempts": stats.attempts, "sent": stats.sent,
                      "uncertain": [row["user_id"] for row in stats.uncertain]}))


if __name__ == "__main__":
    main()
