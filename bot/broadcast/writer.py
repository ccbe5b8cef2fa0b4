"""Outcome writes: queued as answers come back, committed together off the event loop."""
from __future__ import annotations

import asyncio
import logging

from bot.broadcast.claims import Params
from bot.broadcast.outbox import Outbox

log = logging.getLogger(__name__)


class OutcomeWriter:
    """Commits each outcome right after its send, in one transaction with those that came back
    meanwhile. A failed commit stops the sender; its rows stay ``sending`` and are reported
    uncertain at the next start (never resent)."""

    def __init__(self, outbox: Outbox, on_loop: bool = False) -> None:
        self.outbox, self.on_loop = outbox, on_loop
        self.failure: Exception | None = None
        self._queue: list[tuple[str, Params]] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, kind: str, params: Params) -> None:
        """Queue one outcome (``sent`` / ``retry`` / ``final``, see ``claims.OUTCOMES``)."""
        self._queue.append((kind, params))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write())

    async def _write(self) -> None:
        """Commit queued outcomes until none are left."""
        while self._queue and self.failure is None:
            batch, self._queue = self._queue, []
            try:
                if self.on_loop:
                    self.outbox.record(batch)
                else:
                    await asyncio.to_thread(self.outbox.record, batch)
            except Exception as error:
                log.exception("could not write %d broadcast outcomes", len(batch))
                self.failure = error

    async def flush(self) -> None:
        """Wait until every queued outcome is written."""
        while self._task is not None and not self._task.done():
            await self._task
        if self._queue and self.failure is None:
            self._task = asyncio.create_task(self._write())
            await self._task
