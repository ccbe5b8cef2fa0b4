"""The paced sender: one loop that drains the outbox within Telegram's limits."""
from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from bot.broadcast.claims import Claim, InFlight, Params
from bot.broadcast.limits import SenderConfig, SendStats
from bot.broadcast.outbox import Fair, Outbox
from bot.broadcast.outcomes import Blocked, RetryLater, SendOutcome, Transient
from bot.broadcast.pacing import Clock, SystemClock, TokenBucket
from bot.broadcast.transport import Transport
from bot.broadcast.writer import OutcomeWriter

log = logging.getLogger(__name__)
T = TypeVar("T")
# Callbacks may be plain functions or coroutine functions; what they return is ignored.
OnBlocked = Callable[[int], object]                # a user id (blocked the bot)
OnUncertain = Callable[[list[InFlight]], object]   # rows a dead sender left in flight
OnFairDone = Callable[[int], object]               # a fair id (nothing left to send)


async def _call(callback: Callable[[T], object] | None, arg: T) -> None:
    """Call a sync or async callback; its errors are logged, never stop the sender."""
    if callback is None:
        return
    try:
        result = callback(arg)
        if inspect.isawaitable(result):
            await result
    except Exception:  # a callback bug must not stop a broadcast
        log.exception("broadcast callback %r failed", callback)


class Sender:
    """Claims due rows, sends them paced by a token bucket and writes each outcome at once."""

    def __init__(self, outbox: Outbox, transport: Transport, compose: Callable[[Fair], str], *,
                 config: SenderConfig | None = None, clock: Clock | None = None,
                 on_blocked: OnBlocked | None = None, on_uncertain: OnUncertain | None = None,
                 on_fair_done: OnFairDone | None = None) -> None:
        self.outbox, self.transport, self.compose = outbox, transport, compose
        self.config = config = config or SenderConfig()
        self.clock = clock or SystemClock()
        self.on_blocked, self.on_uncertain, self.on_fair_done = on_blocked, on_uncertain, on_fair_done
        burst = config.burst or max(1.0, config.rate / 10)
        self.bucket = TokenBucket(config.rate, burst, self.clock)
        self.stats = SendStats()
        self.worker: int | None = None
        self._texts: dict[int, str] = {}
        self._inflight: set[asyncio.Task[None]] = set()
        self._paused_until = self._resumed_at = 0.0
        self._stopping = False
        self.db_on_loop = config.db_on_loop and not outbox.is_postgres
        self.writer = OutcomeWriter(outbox, self.db_on_loop)

    def stop(self) -> None:
        """Finish the sends in flight, then return from :meth:`run`."""
        self._stopping = True

    def reserve(self, count: float) -> None:
        """Leave ``count`` messages of the shared budget to replies to a user (they go first)."""
        self.bucket.reserve(count)

    @property
    def _me(self) -> int:
        """This run's worker id (registered by :meth:`run`)."""
        if self.worker is None:
            raise RuntimeError("the sender is not running")
        return self.worker

    async def run(self, until_idle: bool = False) -> SendStats:
        """Send until stopped (or, with ``until_idle``, until nothing is left to send)."""
        started = self.clock.monotonic()
        self.worker = worker = self.outbox.workers.register()
        try:
            await self._recover()
            while not self._stopping and self.writer.failure is None:
                if not await self._step() and not await self._idle(until_idle):
                    break
            await self._drain()
            await self.writer.flush()
        finally:
            for task in self._inflight:  # cancelled: their rows stay ``sending`` -> uncertain
                task.cancel()
            self.outbox.workers.release(worker)
            self.stats.elapsed = self.clock.monotonic() - started
        if self.writer.failure is not None:
            raise self.writer.failure
        return self.stats

    async def _recover(self) -> None:
        """Report rows a dead sender left in flight as uncertain (they are never resent)."""
        rows = self.outbox.recover(self._me, self.clock.now())
        if rows:
            log.warning("%d broadcast messages were in flight at a crash: uncertain", len(rows))
            self.stats.uncertain += rows
            await _call(self.on_uncertain, rows)

    async def _step(self) -> bool:
        """Claim what the bucket allows and start sending it; False when nothing was due."""
        await self._wait_pause()
        free = self.config.max_in_flight - len(self._inflight)
        if free <= 0:
            await asyncio.wait(self._inflight, return_when=asyncio.FIRST_COMPLETED)
            return True
        await self.bucket.acquire()
        if self.clock.monotonic() < self._paused_until:
            self.bucket.refund(1)
            return True
        wanted = 1 + self.bucket.take_up_to(min(free, self.config.batch_max) - 1)
        if self.db_on_loop:
            claims = self.outbox.claim(self._me, wanted, self.clock.now())
        else:
            claims = await asyncio.to_thread(self.outbox.claim, self._me, wanted, self.clock.now())
        self.bucket.refund(wanted - len(claims))
        for claim in claims:
            task = asyncio.create_task(self._deliver(claim))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        return bool(claims)

    async def _idle(self, until_idle: bool) -> bool:
        """Nothing due now: wait for sends, retries or new rows; False when the run is over."""
        if self._inflight:
            await asyncio.wait(self._inflight, return_when=asyncio.FIRST_COMPLETED)
            return True
        await self.writer.flush()
        for fair_id in self.outbox.finish_fairs():
            await _call(self.on_fair_done, fair_id)
        await self._recover()
        if until_idle and self.outbox.unfinished() == 0:
            return False
        due = self.outbox.next_due()
        delay = self.config.idle_poll
        if due is not None:
            delay = min(delay, max((due - self.clock.now()).total_seconds(), 0.0))
        await self.clock.sleep(max(delay, min(self.config.idle_poll, 0.02)))
        return True

    async def _drain(self) -> None:
        """Wait for the sends still in flight."""
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)

    async def _wait_pause(self) -> None:
        """Sleep out a flood pause, then earn tokens only from its end (no burst after it)."""
        if self._paused_until <= self._resumed_at:
            return
        while (left := self._paused_until - self.clock.monotonic()) > 0:
            await self.clock.sleep(left)
        self.bucket.restart_at(self._paused_until)
        self._resumed_at = self._paused_until

    def _pause(self, seconds: float) -> None:
        """Stop every send for ``seconds`` from now (overlapping pauses are counted once)."""
        now = self.clock.monotonic()
        until = now + seconds
        if until > self._paused_until:
            self.stats.paused_seconds += until - max(now, self._paused_until)
            self._paused_until = until
            self.stats.flood_waits += 1

    def _text(self, fair_id: int) -> str:
        """The message of a fair (composed once per run)."""
        if fair_id not in self._texts:
            fair = self.outbox.get_fair(fair_id)
            if fair is None:  # its rows reference it, so only a broken database gets here
                raise LookupError(f"fair {fair_id} not found")
            self._texts[fair_id] = self.compose(fair)
        return self._texts[fair_id]

    async def _deliver(self, claim: Claim) -> None:
        """Send one claimed message and write its outcome right away."""
        self.stats.attempts += 1
        try:
            outcome = await self.transport.send_message(
                claim.chat_id, claim.text or self._text(claim.fair_id))   # a notice row has its own text
        except Exception as error:  # a bug in the transport: do not retry blindly
            log.exception("broadcast send to %s failed unexpectedly", claim.chat_id)
            self._final(claim, "failed", error)
            return
        await self._record(claim, outcome)

    async def _record(self, claim: Claim, outcome: SendOutcome | None) -> None:
        """Write what the transport answered: sent, a retry, or a final refusal."""
        if outcome is None:
            self.stats.sent += 1
            self._write("sent", claim)
        elif isinstance(outcome, RetryLater):
            self._pause(outcome.seconds)
            self._retry(claim, outcome.seconds, str(outcome), transient=False)
        elif isinstance(outcome, Blocked):
            self.stats.blocked += 1
            self._final(claim, "blocked", outcome)
            await _call(self.on_blocked, claim.user_id)
        elif isinstance(outcome, Transient):
            self.stats.transient += 1
            if claim.retries + 1 > self.config.max_retries:
                self._final(claim, "failed", outcome)
            else:
                self._retry(claim, self.config.backoff(claim.retries + 1), str(outcome), True)
        else:  # Rejected, or an outcome this sender does not know: permanent
            self._final(claim, "failed", outcome)

    def _retry(self, claim: Claim, seconds: float, error: str, transient: bool) -> None:
        """Back to pending, due in ``seconds``."""
        at = self.clock.now() + timedelta(seconds=seconds)
        self._write("retry", claim, b_at=at, b_counts=int(transient), b_error=error[:500])

    def _final(self, claim: Claim, state: str, error: Exception) -> None:
        """Failed or blocked for good."""
        if state == "failed":
            self.stats.failed += 1
        self._write("final", claim, b_state=state, b_error=f"{type(error).__name__}: {error}"[:500])

    def _write(self, kind: str, claim: Claim, **params: object) -> None:
        """Hand an outcome to the writer."""
        row: Params = params | {"b_id": claim.id, "b_worker": self.worker,
                                "b_now": self.clock.now()}
        self.writer.add(kind, row)
