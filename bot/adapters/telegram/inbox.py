"""Record every update in the inbox, then handle each user's updates in update_id order, once.

The order per update: ``InboxQueue.put`` records it (before getUpdates acknowledges it, before
the webhook answers 200); the gate handler (the first group) makes sure the user is being drained and
waits until the update is done; the drain, holding the user's short lease, takes the user's
lowest unfinished update, runs the real handlers on it (``Delivery`` current) and marks it done.
A sweep every ``SWEEP`` seconds drains users whose updates were left by a dead process.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.adapters.telegram import delivery
from bot.storage import Storage
from bot.storage.locks import FIRST_WAIT, LEASE, MAX_WAIT, LeaseRenewer, holding, new_holder

log = logging.getLogger(__name__)

SWEEP = 2.0  # seconds between looks for updates a dead process left unfinished


def user_key(update: Update) -> int:
    """Whose updates must stay in order: the user, else the chat (0 for neither)."""
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else 0


class Inbox:
    """The inbox side of one Application: record, gate, drain, sweep."""

    def __init__(self, application: Application, storage: Storage) -> None:
        """Attach to the application (its bot decodes stored updates)."""
        self.application, self.storage = application, storage
        self.locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self.stopping = asyncio.Event()
        self.recorded: set[int] = set()  # recorded by InboxQueue, not yet seen by the gate
        self._sweeper: asyncio.Task | None = None
        self.renewer = LeaseRenewer(lambda: self.storage.renew_held())
        self._drains: set[asyncio.Task] = set()  # drains the sweep started

    def record(self, update: Update) -> None:
        """Record the update as received (a redelivered one is recorded already: nothing happens)."""
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        if not self.storage.inbox.record(update.update_id, user_key(update), payload):
            log.info("update %s received again (already recorded)", update.update_id)

    def queued(self, update: Update) -> None:
        """``InboxQueue.put``: record the update; the gate then knows it need not record it."""
        self.record(update)
        self.recorded.add(update.update_id)

    async def gate(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """First group: pass the update the drain is handling; record and drain any other, stop it."""
        if not isinstance(update, Update):
            return
        running = delivery.current()
        if running is not None and running.update_id == update.update_id:
            return
        if update.update_id in self.recorded:
            self.recorded.discard(update.update_id)
        else:
            self.record(update)  # not through InboxQueue (tests calling process_update)
        await self.drain_until(user_key(update), update.update_id)
        raise ApplicationHandlerStop

    def _lock(self, key: int) -> asyncio.Lock:
        lock = self.locks.get(key)
        if lock is None:
            lock = self.locks[key] = asyncio.Lock()
        return lock

    async def drain_until(self, key: int, update_id: int | None) -> None:
        """Drain the user until ``update_id`` is done (None: once, if the user is free)."""
        lock = self._lock(key)
        first = not lock.locked()  # an earlier drain here may have handled it meanwhile
        async with lock:
            wait = FIRST_WAIT
            while not self.stopping.is_set():
                if not first and update_id is not None and (
                        self.storage.inbox.state(update_id) != "received"):
                    return  # done, here or by another process (or erased by /delete)
                first, holder = False, new_holder()
                if self.storage.acquire_user(key, holder):
                    try:
                        await self._drain(key, holder)
                    finally:
                        self.storage.release_user(key, holder)
                    return
                if update_id is None:
                    return  # a live process holds the user and drains it
                await asyncio.sleep(wait)
                wait = min(wait * 2, MAX_WAIT)

    async def _drain(self, key: int, holder: str) -> None:
        """Holding the user's lease: handle their unfinished updates, lowest update_id first."""
        # The lease is renewed by the process's renewer thread (``LeaseRenewer``); a lease lost
        # anyway (the loop stalled) fences this holder: claim_next gives it nothing more.
        if not self.stopping.is_set():
            self.renewer.ensure_running()
        with holding(key):
            while not self.stopping.is_set():
                item = self.storage.inbox.claim_next(key, holder, LEASE)
                if item is None:
                    return
                await self._handle(item.update_id, item.payload, item.sent, holder)

    async def _handle(self, update_id: int, payload: str, already_sent: int, holder: str) -> None:
        """Run the handlers on one stored update, then mark it done (unless the handler did)."""
        current = delivery.Delivery(self.storage, update_id, holder, already_sent)
        update = Update.de_json(json.loads(payload), self.application.bot)
        if already_sent:
            log.info("update %s handled again after a restart (%d messages already sent)",
                     update_id, already_sent)
        token = delivery.set_current(current)
        try:
            await self.application.process_update(update)
        finally:
            delivery.reset_current(token)
        if not current.finished:
            with contextlib.suppress(delivery.LeaseLost):
                current.finish()

    async def sweep_forever(self) -> None:
        """Drain users whose updates are unfinished and whose lease is free (a holder died)."""
        while not self.stopping.is_set():
            try:
                for key in self.storage.inbox.pending_users():
                    lock = self.locks.get(key)
                    if lock is None or not lock.locked():
                        task = asyncio.create_task(self.drain_until(key, None))
                        self._drains.add(task)
                        task.add_done_callback(self._drains.discard)
            except Exception:
                log.exception("inbox sweep failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), SWEEP)

    def start(self) -> None:
        """Start the sweep (the first one picks up what a crash left)."""
        self.stopping.clear()
        self.renewer.start()
        self._sweeper = asyncio.create_task(self.sweep_forever())

    async def stop(self, timeout: float = 3.0) -> None:
        """Stop draining: handlers finish the update they are on (``timeout`` seconds at most);
        the rest stays in the inbox."""
        self.stopping.set()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self._drains:
            await asyncio.wait(set(self._drains), timeout=timeout)
        await self.renewer.stop()


class InboxQueue(asyncio.Queue):
    """The Application's update queue: an update is recorded in the inbox before it is queued.

    PTB's webhook answers 200 and its polling asks for the next offset only after ``put``
    returned, so an update Telegram considers delivered is always in the inbox.
    """

    inbox: Inbox | None = None

    async def put(self, item: Any) -> None:
        """Record, then queue."""
        if self.inbox is not None and isinstance(item, Update):
            self.inbox.queued(item)
        await super().put(item)
