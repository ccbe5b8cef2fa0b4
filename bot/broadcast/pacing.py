"""Clocks (real and injectable) and the token bucket that paces the sender."""
from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Time as the sender sees it: monotonic seconds for pacing, UTC wall time for the store."""

    def monotonic(self) -> float: ...
    def now(self) -> datetime: ...
    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds on the monotonic clock."""
        return time.monotonic()

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that jumps forward when slept on, so tests of minutes run in milliseconds."""

    def __init__(self, start: datetime = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)) -> None:
        self.start = start
        self.elapsed = 0.0

    def monotonic(self) -> float:
        """Seconds since the fake start."""
        return self.elapsed

    def now(self) -> datetime:
        """The fake wall time."""
        return self.start + timedelta(seconds=self.elapsed)

    async def sleep(self, seconds: float) -> None:
        """Advance time and let other tasks run."""
        self.elapsed += max(0.0, seconds)
        await asyncio.sleep(0)


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up, on an injected monotonic clock."""

    def __init__(self, rate: float, burst: float, clock: Clock) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.stamp = clock.monotonic()

    def _refill(self) -> None:
        """Add the tokens earned since the last look."""
        now = self.clock.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    async def acquire(self, count: int = 1) -> None:
        """Wait until ``count`` tokens (at most the burst) are there and take them."""
        count = min(count, int(self.burst))
        self._refill()
        while self.tokens < count - 1e-9:  # float slack: a fake clock may land a hair short
            await self.clock.sleep((count - self.tokens) / self.rate)
            self._refill()
        self.tokens -= count

    def take_up_to(self, wanted: int) -> int:
        """Take as many whole tokens as are there now, up to ``wanted``; return how many."""
        self._refill()
        taken = max(0, min(wanted, int(self.tokens + 1e-9)))
        self.tokens -= taken
        return taken

    def reserve(self, count: float) -> None:
        """Set ``count`` tokens aside for other sends on the same budget (interactive replies).

        The bucket may go into debt, at most one second of tokens, so the broadcast waits
        while replies go first but never stalls for longer than that per burst of replies.
        """
        self._refill()
        self.tokens = max(-self.rate, self.tokens - count)

    def refund(self, count: int) -> None:
        """Give back tokens that were not used."""
        self.tokens = min(self.burst, self.tokens + count)

    def restart_at(self, moment: float) -> None:
        """Empty as of ``moment`` (the end of a flood pause): earn tokens only from then on."""
        self.tokens, self.stamp = 0.0, moment
