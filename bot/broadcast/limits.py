"""The limits a sender keeps to, and what one run did."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.broadcast.claims import InFlight


@dataclass(frozen=True)
class SenderConfig:
    """Limits of one sender; ``rate`` is messages per second over all chats."""

    rate: float = 30.0
    burst: float | None = None        # tokens saved up; default rate / 10 (at least 1)
    max_in_flight: int = 16           # sends awaiting an answer at once (>= rate x latency)
    max_retries: int = 5              # transient failures before ``failed``
    backoff_base: float = 1.0         # seconds before the first retry, doubled each time
    backoff_max: float = 60.0
    idle_poll: float = 2.0            # seconds between looks at an empty outbox
    batch_max: int = 50               # rows claimed in one statement at most
    db_on_loop: bool = False          # SQLite: claim/record on the event loop (no thread hop)

    def backoff(self, retry: int) -> float:
        """Seconds to wait before transient retry number ``retry`` (1-based)."""
        return min(self.backoff_max, self.backoff_base * 2.0 ** (retry - 1))


@dataclass
class SendStats:
    """What one run did (for logs and the benchmark)."""

    attempts: int = 0
    sent: int = 0
    flood_waits: int = 0
    transient: int = 0
    failed: int = 0
    blocked: int = 0
    uncertain: list[InFlight] = field(default_factory=list)
    paused_seconds: float = 0.0
    elapsed: float = 0.0
