"""Workers' reply time while a 10,000-recipient fair is sending, inside one bot's shared budget.

Run from the project root: ``.venv/bin/python bench/bench_fair_priority.py [--seconds 60]``.

One Application as deployed (``build_application`` with its AIORateLimiter: 30 messages/s for the
whole bot; the fair sender registered by ``telegram_fairs.register`` at ``BROADCAST_RATE`` 30 and
posting through the same bot). Requests go in-process to the fake Bot API (``tests/fakebotapi``,
every call validated) after ``--latency`` seconds, as a round trip to Telegram would take.
Simulated workers each send a message (``/start``, a typed county, a free question) every
``--think`` seconds on average. First a phase without a fair (the baseline), then a fair to
10,000 subscribers starts and the workers go on for ``--seconds``. Printed: workers' reply time
(update in -> last reply sent) p50/p95/max in both phases, the fair's messages/s, and its share:
the budget left by the workers' replies (30/s minus their messages/s) and the fraction of it the
fair achieved. Goal (issue 8): reply p95 <= 2 s, fair >= 0.9 of its share.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakebotapi.api import TOKEN, FakeBotApi  # noqa: E402
from fakebotapi.offline import OfflineRequest  # noqa: E402
from telegram import Update  # noqa: E402

from bot.adapters.telegram import fairs as telegram_fairs  # noqa: E402
from bot.adapters.telegram.app import build_application  # noqa: E402
from bot.adapters.telegram.broadcast import start_fair  # noqa: E402
from bot.broadcast import SenderConfig, open_outbox  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.storage import open_storage  # noqa: E402

COUNTY = "马边彝族自治县"
STAFF = 7
WORKER_IDS = range(500, 500 + 1000)
SUBSCRIBER_START = 100_000
MESSAGES = ("/start", "马边", "在绍兴自己租房有补贴吗", "车费能报吗", "/start", "脱贫户")


class SlowRequest(OfflineRequest):
    """The offline request with a round-trip time, as Telegram's servers would answer."""

    latency = 0.03

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await asyncio.sleep(self.latency)
        return await super().do_request(*args, **kwargs)


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0..1) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


async def worker(app: Any, api: FakeBotApi, user_id: int, until: float, think: float,
                 times: list[float]) -> None:
    """One worker: a message every ``think`` seconds on average; record each reply time."""
    step = random.randrange(len(MESSAGES))
    await asyncio.sleep(random.uniform(0, think))
    while time.monotonic() < until:
        raw = api.push_text(user_id, MESSAGES[step % len(MESSAGES)])
        started = time.monotonic()
        await app.process_update(Update.de_json(raw, app.bot))
        times.append(time.monotonic() - started)
        step += 1
        await asyncio.sleep(random.expovariate(1 / think))


def sends_between(api: FakeBotApi, start: float, end: float, chats: range | set[int]) -> int:
    """sendMessage calls answered 200 to ``chats`` in [start, end)."""
    return sum(1 for c in api.calls if c.method == "sendMessage" and c.status == 200
               and start <= c.at < end and c.params.get("chat_id") in chats)


async def phase(app: Any, api: FakeBotApi, workers: int, seconds: float, think: float) -> list[float]:
    """Run ``workers`` simulated workers for ``seconds``; their reply times."""
    times: list[float] = []
    until = time.monotonic() + seconds
    await asyncio.gather(*(worker(app, api, uid, until, think, times)
                           for uid in list(WORKER_IDS)[:workers]))
    return times


def show(name: str, times: list[float]) -> None:
    print(f"{name}: {len(times)} replies, p50 {statistics.median(times):.3f} s, "
          f"p95 {percentile(times, 0.95):.3f} s, max {max(times):.3f} s")


async def run(args: argparse.Namespace) -> None:
    """Set up the bot, the subscribers and the fair; run both phases; print the figures."""
    SlowRequest.latency = args.latency
    folder = Path(tempfile.mkdtemp(prefix="bench-fair-priority-"))
    url = f"sqlite:///{folder / 'bot.sqlite3'}"
    storage, outbox, api = open_storage(url), open_outbox(url), FakeBotApi()
    settings = Settings(bot_token=TOKEN, database_url=url, telegram_api_base_url=None)
    app = build_application(settings, storage, request=SlowRequest(api),
                            get_updates_request=SlowRequest(api), reminder_interval=0)
    telegram_fairs.REPLY_RESERVE = args.reserve
    telegram_fairs.register(app, outbox=outbox, staff_ctx=app.bot_data["staff"], storage=storage,
                            sender_config=SenderConfig(rate=settings.broadcast_rate,
                                                       max_in_flight=args.in_flight))
    subscribers = range(SUBSCRIBER_START, SUBSCRIBER_START + args.recipients)
    for uid in (*subscribers, *list(WORKER_IDS)[:args.workers], STAFF):
        api.user(uid)
    for uid in subscribers:
        storage.upsert_user(uid, uid, "老乡")
        storage.subscribe(uid, "county", COUNTY)
    print(f"{args.workers} workers, {args.recipients} recipients, reserve {args.reserve}/update, "
          f"{args.in_flight} in flight, latency {args.latency} s")
    await app.initialize()
    await app.post_init(app)
    try:
        show("no fair      ", await phase(app, api, args.workers, args.baseline, args.think))
        fair = outbox.create_fair(title="马边专场招聘会", starts_at=outbox.clock.now(),
                                  place_or_link="马边县人力资源市场", organiser="马边县人社局",
                                  target_counties=[COUNTY], details="", created_by=STAFF)
        await start_fair(app.bot, outbox, storage, fair, STAFF)
        await asyncio.sleep(2.0)            # the sender reaches its pace
        start = time.monotonic()
        times = await phase(app, api, args.workers, args.seconds, args.think)
        end = time.monotonic()
        show("fair sending ", times)
        window = end - start
        fair_rate = sends_between(api, start, end, subscribers) / window
        worker_rate = sends_between(api, start, end, set(list(WORKER_IDS)[:args.workers])) / window
        share = settings.broadcast_rate - worker_rate
        print(f"workers' messages/s {worker_rate:.1f}; fair messages/s {fair_rate:.1f} of its share "
              f"{share:.1f} (budget {settings.broadcast_rate:.0f}/s): {fair_rate / share:.2f}")
        print(f"fair progress after the window: {outbox.progress(fair.id)}")
    finally:
        await app.post_shutdown(app)
        await app.shutdown()


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--think", type=float, default=4.0, help="mean seconds between messages")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window while sending")
    parser.add_argument("--baseline", type=float, default=20.0, help="seconds without a fair")
    parser.add_argument("--latency", type=float, default=0.03, help="Bot API round trip, seconds")
    parser.add_argument("--reserve", type=float, default=telegram_fairs.REPLY_RESERVE,
                        help="messages set aside per incoming update (0: no priority)")
    parser.add_argument("--in-flight", type=int, default=telegram_fairs.IN_FLIGHT)
    random.seed(8)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
