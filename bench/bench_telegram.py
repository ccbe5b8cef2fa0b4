"""Telegram bot throughput, latency and memory, side by side with a bare PTB echo bot.

Both bots run as separate processes polling the same fake Bot API (tests/fakebotapi, over
HTTP on 127.0.0.1); simulated users each send a message, wait for the whole answer, send
the next. One unmeasured warm-up interview first. Prints figures; not a test.

    .venv/bin/python bench/bench_telegram.py [--users 20] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from fakebotapi import TOKEN, FakeBotApi, FakeBotApiServer  # noqa: E402  (tests/ is put on sys.path above)

ROUND = ["/restart", "马边", "脱贫户", "浙江绍兴柯桥", "2024年2月 第一次来", "30个月", "是", "没有"]
AS_OF = date(2026, 11, 22)


def build(kind: str):
    """The echo bot or our bot without the rate limiter, from the environment's settings.

    The echo bot sends back each text, and each button's data after answering the tap.
    """
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

    from bot.config import load_settings

    settings = load_settings()
    if kind == "echo":
        async def echo(update, context) -> None:
            await context.bot.send_message(update.effective_chat.id, update.message.text)

        async def tap(update, context) -> None:
            await update.callback_query.answer()
            await context.bot.send_message(update.effective_chat.id, update.callback_query.data)

        app = (ApplicationBuilder().token(settings.bot_token).concurrent_updates(256)
               .base_url(f"{settings.telegram_api_base_url}/bot").build())
        app.add_handler(MessageHandler(filters.TEXT, echo))
        app.add_handler(CallbackQueryHandler(tap))
        return app
    from bot.adapters.telegram.app import build_application
    from bot.storage import open_storage

    return build_application(settings, open_storage(settings.database_url), rate_limit=False)


def serve(kind: str) -> None:
    """Child process: run the echo bot or our bot without the rate limiter, polling."""
    build(kind).run_polling()


def replies_per_step() -> list[int]:
    """How many messages our bot sends for each step of ROUND (from the core itself)."""
    from bot.adapters.telegram.send import split_text
    from bot.core import conversation

    state, counts = None, []
    for message in ROUND:
        turn = conversation.handle_text(state, message, as_of=AS_OF)
        state = turn.state
        counts.append(sum(len(split_text(reply.text)) for reply in turn.replies))
    return counts


def rss_kb(pid: int) -> dict[str, int]:
    """Resident and peak resident memory of a process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def user_loop(api: FakeBotApi, user: int, script: list[str], counts: list[int],
              latencies: list[float]) -> None:
    """One user: send, wait until the whole answer arrived, record the time, repeat."""
    expected = 0
    for message, count in zip(script, counts, strict=True):
        expected += count
        pushed = time.monotonic()
        api.push_text(user, message)
        if not api.wait_for_calls(lambda want=expected: len(api.sent(user)) >= want, 60):
            raise RuntimeError(f"user {user}: no answer to {message!r}")
        with api._cond:
            last = [c.at for c in api.calls if c.method == "sendMessage"
                    and c.params.get("chat_id") == user][expected - 1]
        latencies.append(last - pushed)


def run(kind: str, users: int, rounds: int, counts: list[int], workdir: Path) -> dict:
    """Start one bot process, drive it with ``users`` concurrent users, return the figures."""
    server = FakeBotApiServer().start()
    api = server.api
    database = Path(tempfile.mkdtemp(dir=workdir)) / "bot.sqlite3"  # a new fake API restarts update ids
    env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
           "DATABASE_URL": f"sqlite:///{database}", "DATA_DIR": str(database.parent)}
    command = ([sys.executable, "-m", "bot", "run"] if kind == "bot" else
               [sys.executable, __file__, "--serve", "echo" if kind == "echo" else "bot"])
    log = open(workdir / f"{kind}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not api.wait_for_calls(lambda: api.call_count("getUpdates") > 0, 60):
            raise RuntimeError(f"{kind} did not start; see {workdir / f'{kind}.log'}")
        script = ROUND * rounds
        step_counts = (counts if kind != "echo" else [1] * len(ROUND)) * rounds
        user_loop(api, 9_999, ROUND, step_counts[:len(ROUND)], [])  # warm caches, not measured
        latencies: list[float] = []
        cpu_before = cpu_seconds(process.pid)
        threads = [threading.Thread(target=user_loop, args=(api, 10_000 + u, script, step_counts,
                                                            latencies)) for u in range(users)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        if len(latencies) != users * len(script):
            raise RuntimeError(f"{kind}: only {len(latencies)} of {users * len(script)} answered")
        memory = rss_kb(process.pid)
        cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        process.terminate()
        process.wait(30)
        server.stop()
    latencies.sort()
    return {"kind": kind, "users": users, "updates": len(latencies), "seconds": elapsed,
            "per_second": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
            "cpu_ms": cpu / len(latencies) * 1000, "rss_mb": memory.get("VmRSS", 0) / 1024, "peak_mb": memory.get("VmHWM", 0) / 1024}


LABELS = {"echo": "bare PTB echo bot", "bot-nolimit": "帮扶通 bot, no rate limiter",
          "bot": "帮扶通 bot as deployed (`python -m bot run`, AIORateLimiter)"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--serve", choices=["echo", "bot"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    counts = replies_per_step()
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for kind in ("echo", "bot-nolimit", "bot"):
            for users in (1, args.users):
                results.append(run(kind, users, args.rounds, counts, Path(directory)))
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"{args.rounds} rounds of {len(ROUND)} messages (the whole interview) per user; "
          f"{os.cpu_count()} CPUs, load average {load}")
    print("| bot | users | updates | updates/s | p50 ms | p95 ms | CPU ms/update | RSS MB | peak RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {LABELS[r['kind']]} | {r['users']} | {r['updates']} | {r['per_second']:.1f} "
              f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['cpu_ms']:.1f} | {r['rss_mb']:.0f} | {r['peak_mb']:.0f} |")
    for users in (1, args.users):
        echo, ours = (next(r for r in results if r["kind"] == k and r["users"] == users)
                      for k in ("echo", "bot-nolimit"))
        print(f"throughput ratio, {users} users (no limiter / echo): "
              f"{ours['per_second'] / echo['per_second']:.2f} (goal >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
