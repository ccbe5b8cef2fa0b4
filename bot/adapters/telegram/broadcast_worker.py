"""One sender process over the Bot API that drains the outbox and exits (ops, kill tests, bench).

``python -m bot.adapters.telegram.broadcast_worker DB_URL --base-url URL --token TOKEN [--rate R]``
sends everything due through ``URL/bot<TOKEN>/sendMessage``, unsubscribes users who blocked the
bot, and prints the run's figures as JSON. The bot process runs the same sender forever.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.adapters.telegram.broadcast import make_sender
from bot.broadcast.limits import SenderConfig
from bot.broadcast.outbox import open_outbox
from bot.storage import open_storage


def _bot(base_url: str, token: str, pool: int) -> Bot:
    """A Bot on ``base_url`` with enough connections for the sends in flight."""
    request = HTTPXRequest(connection_pool_size=pool, read_timeout=30, write_timeout=30,
                           connect_timeout=10, pool_timeout=30)
    return Bot(token, base_url=f"{base_url.rstrip('/')}/bot", request=request)


async def drain(db_url: str, base_url: str, token: str, config: SenderConfig) -> dict[str, Any]:
    """Send until the outbox is empty; return the figures of the run."""
    outbox, storage = open_outbox(db_url), open_storage(db_url)
    bot = _bot(base_url, token, config.max_in_flight + 2)
    started = time.monotonic()
    try:
        async with bot:
            stats = await make_sender(bot, outbox, storage, config).run(until_idle=True)
    finally:
        outbox.close()
        storage.close()
    return {"attempts": stats.attempts, "sent": stats.sent, "blocked": stats.blocked,
            "failed": stats.failed, "transient": stats.transient, "flood_waits": stats.flood_waits,
            "paused_seconds": round(stats.paused_seconds, 3),
            "elapsed": round(time.monotonic() - started, 3),
            "uncertain": sorted(row["user_id"] for row in stats.uncertain)}


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, drain, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db_url")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--backoff", type=float, default=1.0)
    parser.add_argument("--db-threads", action="store_true",
                        help="SQLite: claim and record in a thread instead of on the loop")
    args = parser.parse_args(argv)
    config = SenderConfig(rate=args.rate, max_in_flight=args.in_flight, backoff_base=args.backoff,
                          backoff_max=max(args.backoff * 8, 0.05), idle_poll=0.05,
                          db_on_loop=not args.db_threads)
    print(json.dumps(asyncio.run(drain(args.db_url, args.base_url, args.token, config))), flush=True)


if __name__ == "__main__":
    main()
