"""A fake Telegram transport with seeded faults, for tests, the kill test worker and the benchmark."""
from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.broadcast.outcomes import Blocked, RetryLater, SendOutcome, Transient
from bot.broadcast.pacing import Clock, SystemClock


@dataclass(frozen=True)
class Faults:
    """Shares of attempts answered 429 / 5xx, and of chats that blocked the bot."""

    flood: float = 0.0
    flood_seconds: float = 1.0
    server_error: float = 0.0
    blocked: float = 0.0
    seed: int = 0


class FakeTelegram:
    """A :class:`~bot.broadcast.transport.Transport` that delivers into a counter (and an
    append-only log file).

    Faults are decided by a seeded hash of (chat, attempt), so a restarted process sees the
    same blocked chats. A delivery is written to the log before ``send_message`` returns, so a process
    killed after that point has delivered the message even though the outbox never hears of it.
    """

    def __init__(self, faults: Faults = Faults(), clock: Clock | None = None,
                 latency: float = 0.0, log_path: Path | None = None) -> None:
        self.faults, self.latency = faults, latency
        self.clock = clock or SystemClock()
        self.delivered: Counter[int] = Counter()
        self.tries: Counter[int] = Counter()
        self.calls: list[tuple[float, int]] = []
        self.texts: list[str] = []
        self._log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND) if log_path else None

    def is_blocked(self, chat_id: int) -> bool:
        """Whether this chat blocked the bot (the same answer in every process)."""
        return random.Random(f"{self.faults.seed}:{chat_id}:blocked").random() < self.faults.blocked

    async def send_message(self, chat_id: int, text: str,
                           reply_markup: str | None = None) -> SendOutcome | None:
        """One attempt: maybe a fault (returned), else a delivery (None)."""
        self.calls.append((self.clock.monotonic(), chat_id))
        self.tries[chat_id] += 1
        if self.latency:
            await self.clock.sleep(self.latency)
        if self.is_blocked(chat_id):
            return Blocked("Forbidden: bot was blocked by the user")
        roll = random.Random(f"{self.faults.seed}:{chat_id}:{self.tries[chat_id]}").random()
        if roll < self.faults.flood:
            return RetryLater(self.faults.flood_seconds)
        if roll < self.faults.flood + self.faults.server_error:
            return Transient("Bad Gateway (502)")
        self.delivered[chat_id] += 1
        self.texts.append(text)
        if self._log is not None:
            os.write(self._log, f"{chat_id}\n".encode())
        return None

    def close(self) -> None:
        """Close the log file."""
        if self._log is not None:
            os.close(self._log)
            self._log = None


def read_deliveries(log_path: Path) -> Counter[int]:
    """Deliveries per chat from a FakeTelegram log (across processes)."""
    if not log_path.exists():
        return Counter()
    return Counter(int(line) for line in log_path.read_text().split())


def count_deliveries(log_path: Path) -> int:
    """How many deliveries a FakeTelegram log holds (cheap enough to poll)."""
    return log_path.read_bytes().count(b"\n") if log_path.exists() else 0
