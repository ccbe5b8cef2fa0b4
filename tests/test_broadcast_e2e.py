"""A fair through the fake Bot API over HTTP: 429/5xx/403 injected, kill -9 half-way, restart.

The sender is a separate process (``bot.adapters.telegram.broadcast_worker``) posting to the served fake
API with python-telegram-bot. Faults are decided by a seeded hash of (chat, attempt), so the
blocked chats are the same for both processes. ``retry_after`` is scaled down from Telegram's
whole seconds to 0.05 s so the test takes seconds.
"""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from broadcast_worker import BACKENDS, database_url
from fakebotapi import TOKEN, FakeBotApiServer
from sqlalchemy import insert

from bot.adapters.telegram.broadcast import recipients
from bot.broadcast import open_outbox
from bot.storage import open_storage
from bot.storage.tables import SubscriptionRow, UserRow

ROOT = Path(__file__).resolve().parent.parent
COUNTY = "马边彝族自治县"
SHARES = {"flood": 0.05, "server_error": 0.02, "blocked": 0.01}


class Faults:
    """``fault(method, params)`` for the fake API: 5% 429, 2% 5xx per attempt, 1% of chats 403."""

    def __init__(self, seed: int = 7, retry_after: float = 0.05, latency: float = 0.01) -> None:
        self.seed, self.retry_after, self.latency = seed, retry_after, latency
        self.tries: Counter[int] = Counter()
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()

    def blocked(self, chat_id: int) -> bool:
        """Whether this chat blocked the bot (the same answer for every process)."""
        return random.Random(f"{self.seed}:{chat_id}:blocked").random() < SHARES["blocked"]

    def __call__(self, method: str, params: dict) -> tuple[int, dict] | None:
        if method != "sendMessage":
            return None
        time.sleep(self.latency)  # a Bot API answer takes time: a kill finds sends in flight
        chat = params["chat_id"]
        with self.lock:
            self.tries[chat] += 1
            roll = random.Random(f"{self.seed}:{chat}:{self.tries[chat]}").random()
        if self.blocked(chat):
            return self._error(403, "Forbidden: bot was blocked by the user", "403")
        if roll < SHARES["flood"]:
            return self._error(429, "Too Many Requests: retry after 1", "429",
                               parameters={"retry_after": self.retry_after})
        if roll < SHARES["flood"] + SHARES["server_error"]:
            return self._error(502, "Bad Gateway", "5xx")
        return None

    def _error(self, status: int, description: str, kind: str, **extra) -> tuple[int, dict]:
        with self.lock:
            self.seen[kind] += 1
        return status, {"ok": False, "error_code": status, "description": description, **extra}


def subscribe(db_url: str, api, count: int) -> int:
    """``count`` workers of one county who have the bot and subscribed (rows written in bulk:
    the storage API commits per call, 9 s for 400 on PostgreSQL); return the enqueued fair."""
    storage, outbox = open_storage(db_url), open_outbox(db_url)
    now = datetime.now(UTC)
    with storage.engine.begin() as db:
        db.execute(insert(UserRow.__table__), [
            {"user_id": u, "chat_id": u, "name": "老乡", "first_seen": now} for u in range(1, count + 1)])
        db.execute(insert(SubscriptionRow.__table__), [
            {"user_id": u, "kind": "county", "key": COUNTY, "created_at": now}
            for u in range(1, count + 1)])
    for user in range(1, count + 1):
        api.user(user)
    fair = outbox.create_fair(title="马边专场招聘会", starts_at=datetime(2026, 12, 5, 1, 30, tzinfo=UTC),
                              place_or_link="马边县人力资源市场", organiser="马边县人社局",
                              target_counties=[COUNTY], details="", created_by=99)
    outbox.enqueue(fair.id, recipients(storage, [COUNTY]))
    storage.close()
    outbox.close()
    return fair.id


def worker(db_url: str, server: FakeBotApiServer, rate: float, in_flight: int = 16) -> list[str]:
    """The command line of one sender process."""
    return [sys.executable, "-m", "bot.adapters.telegram.broadcast_worker", db_url,
            "--base-url", server.base_url, "--token", TOKEN, "--rate", str(rate),
            "--in-flight", str(in_flight), "--backoff", "0.02"]


def delivered(api) -> Counter[int]:
    """Accepted sendMessage calls per chat."""
    return Counter(params["chat_id"] for params in api.sent())


def poll(predicate, seconds: float) -> bool:
    """Wait for ``predicate`` looking every 50 ms (not on every call: that would slow the server)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def run_with_kill(db_url: str, server: FakeBotApiServer, count: int, rate: float,
                  in_flight: int = 16) -> dict:
    """Start a sender, SIGKILL it when half are delivered, restart one to the end."""
    first = subprocess.Popen(worker(db_url, server, rate, in_flight), cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reached = poll(lambda: len(server.api.sent()) >= count // 2, 120)
    first.send_signal(signal.SIGKILL)
    assert first.wait(10) == -signal.SIGKILL and reached, first.stderr.read().decode()[-2000:]
    at_kill, restarted_at = len(server.api.sent()), time.monotonic()
    second = subprocess.run(worker(db_url, server, rate, in_flight), cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=False)
    assert second.returncode == 0, second.stderr[-3000:]
    return {"at_kill": at_kill, "restarted_at": restarted_at, "restart": json.loads(second.stdout)}


def check_exactly_once(db_url: str, fair_id: int, api, faults: Faults, count: int) -> dict:
    """Every non-blocking subscriber got it once (uncertain: at most once); blocked unsubscribed."""
    outbox, storage = open_outbox(db_url), open_storage(db_url)
    report = outbox.delivery_report(fair_id)
    still_subscribed = {s.user_id for s in storage.subscriptions(kind="county", key=COUNTY)}
    outbox.close()
    storage.close()
    got = delivered(api)
    everyone = set(range(1, count + 1))
    blocked = {user for user in everyone if faults.blocked(user)}
    uncertain = set(report["uncertain"])
    assert report["progress"]["left"] == 0 and report["progress"]["total"] == count
    # a blocked chat whose attempt was in flight at the kill is uncertain, not blocked
    assert set(report["blocked"]) == blocked - uncertain and not report["failed"]
    assert max(got.values()) == 1 and not set(got) & blocked
    assert {u for u in everyone - blocked - uncertain if got[u] == 1} == everyone - blocked - uncertain
    assert report["progress"]["sent"] == count - len(blocked | uncertain)
    assert still_subscribed == everyone - set(report["blocked"])
    return report


@pytest.mark.parametrize("backend", BACKENDS)
def test_fair_survives_faults_and_a_kill(backend, tmp_path) -> None:
    count = 400
    server = FakeBotApiServer().start()
    server.httpd.handle_error = lambda *_: None  # the killed sender's reset connections: expected
    faults = Faults()
    server.api.fault = faults
    try:
        with database_url(backend, tmp_path) as db_url:
            fair_id = subscribe(db_url, server.api, count)
            run = run_with_kill(db_url, server, count, rate=300)
            report = check_exactly_once(db_url, fair_id, server.api, faults, count)
    finally:
        server.stop()
    assert run["at_kill"] < count * 0.9
    assert run["restart"]["uncertain"] == report["uncertain"]
    assert faults.seen["429"] and faults.seen["5xx"] and faults.seen["403"]
