"""Load: many workers interviewing at once, two webhook processes on one PostgreSQL vs one vs echo.

Each mode gets a fresh fake Bot API (tests/fakebotapi, every call validated against api.json)
and, for our bot, a fresh PostgreSQL schema. The bot processes serve webhooks
(`telegram_run.run`, as `python -m bot run` with WEBHOOK_URL) without the rate limiter; the
echo bot is a bare PTB Application served the same way. Telegram's side is played here: each
simulated worker goes through the interview of tests/interview_script.py, posting an input to a
webhook (a worker's successive inputs alternate between the processes) and the next one only
when the bot's whole answer (every sendMessage the reference interview gets for that input) has
reached the fake API. At most 40 connections per webhook, Telegram's default max_connections.

Reply time = webhook POST started -> the fake API accepted the last sendMessage of the answer.
Lost = expected replies to posted inputs that never came (a worker waits ``--timeout`` s);
out of order = replies that came but outside the longest run in the reference order; extra =
replies beyond the reference (an input handled twice). Prints figures (bench/README.md "load"
says how to read them); exit status 1 when anything was lost, out of order or extra.

    .venv/bin/python bench/bench_load.py [--workers 1000] [--quick] [--modes two,one,echo]
        [--db URL] [--logs DIR]
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from bench_telegram import build, cpu_seconds  # noqa: E402  (paths put on sys.path above)
from botprocess import SECRET, WebhookBot  # noqa: E402
from fakebotapi import FakeBotApi, FakeBotApiServer  # noqa: E402
from interview_script import push, reference  # noqa: E402
from pgschema import postgres_schema_url  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/loadbench"  # its own: commits are counted
MAX_CONNECTIONS = 40  # per webhook, Telegram's default (setWebhook max_connections)
START_WAIT = 90.0  # seconds for the processes to start on a busy 2-core machine
FIRST_USER = 100_000
MODES = {"two": ("bot", 2), "one": ("bot", 1), "echo": ("echo", 1)}
LABELS = {"two": "帮扶通 bot, 2 webhook processes, one PostgreSQL",
          "one": "帮扶通 bot, 1 webhook process, PostgreSQL",
          "echo": "bare PTB echo bot, 1 webhook process"}


class LoadApi(FakeBotApi):
    """The fake Bot API, plus an index the workers wait on: each chat's accepted messages."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.replies: dict[int, list[tuple[float, str]]] = defaultdict(list)
        self.last_bot_message: dict[int, int] = {}
        self.waiters: dict[int, tuple[int, asyncio.Future]] = {}

    def _store_message(self, chat_id, text, markup, from_bot, message_id=None) -> dict:
        message = super()._store_message(chat_id, text, markup, from_bot, message_id)
        if from_bot:
            self.last_bot_message[chat_id] = message["message_id"]
        return message

    def _record(self, method: str, params: dict, status: int, error: str = "") -> tuple[int, dict]:
        answer = super()._record(method, params, status, error)
        if method == "sendMessage" and status == 200:
            chat = params["chat_id"]
            with self._cond:
                self.replies[chat].append((time.monotonic(), params["text"]))
            if self.loop is not None:
                self.loop.call_soon_threadsafe(self._wake, chat)
        return answer

    def _wake(self, chat: int) -> None:
        waiting = self.waiters.get(chat)
        if waiting and len(self.replies[chat]) >= waiting[0] and not waiting[1].done():
            waiting[1].set_result(None)

    async def wait_replies(self, chat: int, count: int, timeout: float) -> bool:
        """Wait until ``chat`` got ``count`` messages in all; False on timeout."""
        if len(self.replies[chat]) >= count:
            return True
        future = asyncio.get_running_loop().create_future()
        self.waiters[chat] = (count, future)
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self.waiters.pop(chat, None)


class Hook:
    """Telegram's side of one webhook: POSTs over at most MAX_CONNECTIONS keep-alive connections."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.host, self.port, self.path = parsed.hostname or "", parsed.port or 80, parsed.path
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def post(self, update: dict) -> int:
        """Deliver one update; the HTTP status (a dropped keep-alive connection is retried once)."""
        body = json.dumps(update, ensure_ascii=False).encode()
        request = (f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                   f"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        async with self.slots:
            for attempt in (1, 2):
                fresh = not self.idle
                reader, writer = (await asyncio.open_connection(self.host, self.port) if fresh
                                  else self.idle.pop())
                try:
                    writer.write(request)
                    status, keep = await self._answer(reader)
                except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                    writer.close()
                    if fresh or attempt == 2:
                        raise
                    continue
                if keep:
                    self.idle.append((reader, writer))
                else:
                    writer.close()
                return status
        raise AssertionError("unreachable")

    @staticmethod
    async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
        """Read one response: (status, whether the connection stays open)."""
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status, length, keep = int(status_line.split()[1]), 0, True
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "connection" and value.strip().lower() == "close":
                keep = False
        await reader.readexactly(length)
        return status, keep


@dataclass
class Tally:
    """What the workers of one mode saw."""

    latencies: list[float] = field(default_factory=list)
    posted: int = 0
    refused: int = 0  # webhook answers other than 200
    expected: dict[int, int] = field(default_factory=dict)  # replies owed to the posted inputs


def _script(kind: str, inputs: list[tuple[str, str]], replies: list[list[str]]) -> list[list[str]]:
    """What each input must be answered with: the reference interview, or the echo."""
    return [[value] for _, value in inputs] if kind == "echo" else replies


async def interview(api: LoadApi, hooks: list[Hook], user: int, inputs: list[tuple[str, str]],
                    answers: list[list[str]], tally: Tally, timeout: float) -> None:
    """One worker: post an input, wait for the whole answer, record the time, go on."""
    owed = 0
    for step, (kind, value) in enumerate(inputs):
        if kind == "tap":  # the button under the bot's last message, as a phone would send it
            update = api.push_callback(user, value, api.last_bot_message[user])
        else:
            update = push(api, user, kind, value)
        owed += len(answers[step])
        tally.expected[user] = owed
        started = time.monotonic()
        status = await hooks[(user + step) % len(hooks)].post(update)
        tally.posted += 1
        if status != 200:
            tally.refused += 1
        if not await api.wait_replies(user, owed, timeout):
            return
        tally.latencies.append(api.replies[user][owed - 1][0] - started)


def check_order(got: list[str], owed: list[str]) -> tuple[int, int, int]:
    """(lost, out of order, extra): replies owed that never came, replies that came but not in
    the owed order (owed and received, outside the longest common run in order), replies
    beyond those owed (an input answered twice)."""
    missing, surplus = Counter(owed) - Counter(got), Counter(got) - Counter(owed)
    common = len(owed) - sum(missing.values())
    in_order = sum(block.size for block in SequenceMatcher(None, got, owed, autojunk=False)
                   .get_matching_blocks())
    return sum(missing.values()), common - in_order, sum(surplus.values())


def machine_busy() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (/proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


def postgres_cpu() -> float:
    """CPU seconds used so far by every `postgres` process (other helpers' included)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                if (proc / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(proc.name))
    return total


async def drive(api: LoadApi, urls: list[str], kind: str, workers: int, timeout: float,
                inputs: list[tuple[str, str]], replies: list[list[str]], pids: list[int],
                url: str) -> dict:
    """Warm each process up with one interview, then run ``workers`` interviews at once."""
    api.loop = asyncio.get_running_loop()
    hooks = [Hook(url) for url in urls]
    answers = _script(kind, inputs, replies)
    warm = Tally()
    await asyncio.gather(*(interview(api, hooks, FIRST_USER - 1 - i, inputs, answers, warm, timeout)
                           for i in range(len(hooks))))
    tally = Tally()
    users = range(FIRST_USER, FIRST_USER + workers)
    commits_before = commits(url)
    cpu_before = [cpu_seconds(pid) for pid in pids]
    driver_before, pg_before, busy_before = time.process_time(), postgres_cpu(), machine_busy()
    started = time.monotonic()
    await asyncio.gather(*(interview(api, hooks, user, inputs, answers, tally, timeout)
                           for user in users))
    elapsed = time.monotonic() - started
    bot_cpu = sum(cpu_seconds(pid) for pid in pids) - sum(cpu_before)
    driver_cpu, pg_cpu = time.process_time() - driver_before, postgres_cpu() - pg_before
    busy_after = machine_busy()
    await asyncio.sleep(1.0)  # an input handled twice or late would answer now
    expected = [text for answer in answers for text in answer]
    lost = out_of_order = extra = 0
    for user in users:
        counts = check_order([text for _, text in api.replies[user]],
                             expected[:tally.expected.get(user, 0)])
        lost, out_of_order, extra = lost + counts[0], out_of_order + counts[1], extra + counts[2]
    updates = len(tally.latencies)
    latencies = sorted(tally.latencies) or [0.0]
    per = 1000 / max(updates, 1)
    return {"commits_before": commits_before, "updates": updates, "posted": tally.posted, "refused": tally.refused,
            "seconds": elapsed, "per_second": updates / elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
            "lost": lost, "out_of_order": out_of_order, "extra": extra,
            "bot_cpu_ms": bot_cpu * per, "driver_cpu_ms": driver_cpu * per, "pg_cpu_ms": pg_cpu * per,
            "busy": (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])}


def ensure_database(url: str) -> None:
    """Create the database of ``url`` if it is missing (this bench counts its commits)."""
    import sqlalchemy

    parsed = sqlalchemy.engine.make_url(url)
    admin = sqlalchemy.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.execute(sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": parsed.database}).first()
        if found is None:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def commits(url: str) -> int:
    """Transactions ended so far in the database of ``url`` (pg_stat_database, every schema)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text("SELECT pg_stat_force_next_flush()"))
        count = connection.execute(sqlalchemy.text(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()")).scalar_one()
    engine.dispose()
    return int(count)


def listening(port: int, timeout: float) -> bool:
    """Whether something accepts connections on the loopback ``port`` within ``timeout`` s
    (setWebhook may come before the webhook server listens)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return True
        time.sleep(0.05)
    return False


def run_mode(mode: str, workers: int, db: str, workdir: Path, timeout: float,
             inputs: list[tuple[str, str]], replies: list[list[str]], diagnose: Diagnose) -> dict:
    """One mode: a fresh fake API and schema, its processes, the load; the figures."""
    kind, processes = MODES[mode]
    api = LoadApi()
    server = FakeBotApiServer(api).start()
    command: tuple[str, ...] = (str(Path(__file__).resolve()), "--serve", kind)
    if diagnose.sweep is not None:
        command += ("--sweep", str(diagnose.sweep))
    if diagnose.concurrency is not None:
        command += ("--concurrency", str(diagnose.concurrency))
    with postgres_schema_url(f"load_{mode}", db) as schema_url:
        url = schema_url + (quote(" -csynchronous_commit=off") if diagnose.no_sync_commit else "")
        bots = [WebhookBot(server, url, workdir / f"{mode}{i}.log", command) for i in range(processes)]
        try:
            ready = api.wait_for_calls(lambda: api.call_count("setWebhook") == processes, START_WAIT)
            ready = ready and all(listening(bot.port, START_WAIT) for bot in bots)
            if not ready:
                raise RuntimeError("\n".join(bot.log() for bot in bots))
            figures = asyncio.run(drive(api, [bot.url for bot in bots], kind, workers, timeout,
                                        inputs, replies, [bot.process.pid for bot in bots], url))
        finally:
            for bot in bots:
                bot.stop()
            server.stop()
        figures["commits"] = (commits(url) - figures.pop("commits_before")) / max(1, figures["updates"])
    bad = Counter(f"{call.method} {call.status}" for call in api.calls if call.status != 200)
    return {"mode": mode, "processes": processes, "workers": workers,
            "rejected_calls": sum(bad.values()), "rejected_by_method": dict(bad), **figures}


@dataclass(frozen=True)
class Diagnose:
    """Changes for finding the bottleneck, never for the headline figures."""

    no_sync_commit: bool = False  # PostgreSQL commits without waiting for the WAL flush
    sweep: float | None = None  # seconds between the inbox's sweeps (bot default: SWEEP)
    concurrency: int | None = None  # updates one process handles at once (bot default: 256)


def load_run(workers: int, modes: list[str], db: str, timeout: float = 600.0,
             logs: Path | None = None, diagnose: Diagnose = Diagnose()) -> list[dict]:
    """Every mode in turn, same workers and same interview (the processes' logs in ``logs``)."""
    ensure_database(db)
    with tempfile.TemporaryDirectory() as directory:
        workdir = logs or Path(directory)
        workdir.mkdir(parents=True, exist_ok=True)
        inputs, replies = asyncio.run(reference(Path(directory)))
        return [run_mode(mode, workers, db, workdir, timeout, inputs, replies, diagnose)
                for mode in modes]


def serve(kind: str, sweep: float | None, concurrency: int | None) -> None:
    """Child process: the echo bot or our bot (no rate limiter), served as a webhook."""
    from bot.adapters.telegram import inbox as telegram_inbox
    from bot.adapters.telegram.log_setup import setup_logging
    from bot.adapters.telegram.run import run
    from bot.config import load_settings

    settings = load_settings()
    setup_logging(settings.bot_token)
    if sweep is not None:
        telegram_inbox.SWEEP = sweep
    if concurrency is not None:  # build_application asks for 256: give it this instead
        from telegram.ext import ApplicationBuilder

        asked = ApplicationBuilder.concurrent_updates
        ApplicationBuilder.concurrent_updates = lambda self, _: asked(self, concurrency)  # type: ignore[method-assign]
    application = build(kind)
    if kind == "bot":
        from bot.core.clock import today
        from bot.core.warmup import warm_up

        warm_up(today())
    run(application, settings)


def report(results: list[dict], workers: int, diagnose: Diagnose) -> None:
    """The figures as a Markdown table, and the ratios against the goals."""
    load = Path("/proc/loadavg").read_text().split()[0]
    if diagnose != Diagnose():
        print(f"DIAGNOSIS RUN, not the bot as deployed: {diagnose}")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {workers} workers, each the 10-input interview "
          f"of tests/interview_script.py; {os.cpu_count()} CPUs, load average {load} after the run")
    print("| bot | workers | updates | s | updates/s | p50 ms | p95 ms | lost | out of order | extra "
          "| bot CPU ms/update | driver + fake API CPU ms/update | postgres CPU ms/update | commits/update | machine busy |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {LABELS[r['mode']]} | {r['workers']} | {r['updates']} | {r['seconds']:.1f} "
              f"| {r['per_second']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['lost']} "
              f"| {r['out_of_order']} | {r['extra']} | {r['bot_cpu_ms']:.2f} | {r['driver_cpu_ms']:.2f} "
              f"| {r['pg_cpu_ms']:.2f} | {r['commits']:.1f} | {r['busy']:.0%} |")
        if r["refused"] or r["rejected_calls"]:
            print(f"  {r['mode']}: {r['refused']} webhook answers not 200, "
                  f"{r['rejected_calls']} Bot API calls refused {r['rejected_by_method']}")
    by_mode = {r["mode"]: r for r in results}
    if "two" in by_mode and "one" in by_mode:
        print(f"two processes / one process, updates/s: "
              f"{by_mode['two']['per_second'] / by_mode['one']['per_second']:.2f} (goal >= 1.6)")
    if "one" in by_mode and "echo" in by_mode:
        print(f"one process / echo bot, updates/s: "
              f"{by_mode['one']['per_second'] / by_mode['echo']['per_second']:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="100 workers")
    parser.add_argument("--modes", default="two,one,echo", help="comma-separated: two,one,echo")
    parser.add_argument("--db", default=DEFAULT_DB,
                        help="a PostgreSQL database of its own (created if missing)")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds a worker waits for an answer before counting it lost")
    parser.add_argument("--logs", type=Path, help="keep the processes' logs in this directory")
    parser.add_argument("--no-sync-commit", action="store_true",
                        help="diagnosis only: PostgreSQL synchronous_commit=off for the bots")
    parser.add_argument("--sweep", type=float, help="diagnosis only: seconds between inbox sweeps")
    parser.add_argument("--concurrency", type=int,
                        help="diagnosis only: updates one process handles at once (bot: 256)")
    parser.add_argument("--serve", choices=["echo", "bot"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.sweep, args.concurrency)
        return 0
    workers = 100 if args.quick else args.workers
    diagnose = Diagnose(args.no_sync_commit, args.sweep, args.concurrency)
    results = load_run(workers, args.modes.split(","), args.db, args.timeout, args.logs, diagnose)
    report(results, workers, diagnose)
    bad = sum(r["lost"] + r["out_of_order"] + r["extra"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
