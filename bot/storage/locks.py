"""A per-user lock shared by every bot process on one database: a short lease row in ``user_locks``.

A lease (INSERT … ON CONFLICT DO UPDATE … WHERE expired) rather than a PostgreSQL advisory
lock: it holds no connection while the handler awaits Telegram, so many users waiting at once
cannot exhaust the pool, and the same SQL works on SQLite and PostgreSQL. The lease is short
(``LEASE``) and its holder renews it every ``RENEW`` seconds while it works, so a process that
dies holding it blocks that one user for at most ``LEASE`` seconds.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

LEASE = timedelta(seconds=5)  # a dead holder blocks its user this long at most
RENEW = 1.5  # seconds between renewals by a live holder (three chances per lease)
FIRST_WAIT, MAX_WAIT = 0.002, 0.25  # seconds between tries while another process holds the user

ACQUIRE = ("INSERT INTO user_locks (user_id, holder, expires_at) VALUES (?, ?, ?) "
           "ON CONFLICT (user_id) DO UPDATE SET holder = excluded.holder, "
           "expires_at = excluded.expires_at WHERE user_locks.expires_at < ? "
           "RETURNING holder")
RENEW_SQL = "UPDATE user_locks SET expires_at = ? WHERE user_id = ? AND holder = ?"
RELEASE = "DELETE FROM user_locks WHERE user_id = ? AND holder = ?"
RENEW_ALL_SQL = "UPDATE user_locks SET expires_at = ? WHERE holder LIKE ?"
# This process's name in every holder it makes (a pid alone may repeat on another machine).
PROCESS = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
STALL = 30.0  # seconds: an event loop that has not ticked for this long lets its users go

Raw = Callable[..., Any]  # SqlStorage._raw: (sql, params, fetch=False) -> rows | rowcount
log = logging.getLogger(__name__)
_held: ContextVar[frozenset[tuple[int, int]]] = ContextVar("held_user_leases", default=frozenset())


def _mine(user_id: int) -> tuple[int, int]:
    """The user in the running task (a task created inside inherits the context, not the lease)."""
    return user_id, id(asyncio.current_task())


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_holder() -> str:
    """A name for one acquisition, unique across processes, starting with this process's name."""
    return f"{PROCESS}-{uuid.uuid4().hex[:12]}"


def try_acquire(raw: Raw, user_id: int, holder: str) -> bool:
    """Take the user's lease if it is free or expired; True when this holder has it."""
    now = _now()
    rows = raw(ACQUIRE, (user_id, holder, now + LEASE, now), fetch=True)
    return bool(rows) and rows[0][0] == holder


def renew(raw: Raw, user_id: int, holder: str) -> bool:
    """Extend the holder's lease by ``LEASE``; False when it was lost (expired and taken over)."""
    return bool(raw(RENEW_SQL, (_now() + LEASE, user_id, holder)))


def renew_all(raw: Raw) -> int:
    """Extend every lease this process holds, in one statement; how many there were."""
    return int(raw(RENEW_ALL_SQL, (_now() + LEASE, f"{PROCESS}-%")))


class LeaseRenewer:
    """Renews every lease this process holds every ``RENEW`` seconds, from a thread of its own.

    Before, each user being handled had its own renewal task on the event loop: under a burst
    (hundreds of users at once) the loop fell seconds behind, leases expired while their holder
    was alive and working, another process took the users over, and some replies went out twice.
    A thread keeps renewing while the loop is busy, and one statement renews them all. It stops
    renewing when the loop has not ticked for ``STALL`` seconds (a hung process lets its users
    go), and it dies with the process (a dead holder blocks its users for ``LEASE`` at most).
    """

    def __init__(self, renew_held: Callable[[], int], stall: float = STALL) -> None:
        self.renew_held, self.stall = renew_held, stall
        self.tick = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start ticking on the running loop and renewing in the thread (once)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self.tick = time.monotonic()
        self._stop.clear()
        self._loop = asyncio.get_running_loop()
        self._ticker = self._loop.create_task(self._ticking())
        self._thread = threading.Thread(target=self._renewing, name="lease-renewer", daemon=True)
        self._thread.start()

    def ensure_running(self) -> None:
        """Start, unless already renewing (a drain outside the application's start-up)."""
        self.start()

    async def _ticking(self) -> None:
        while True:
            self.tick = time.monotonic()
            await asyncio.sleep(1.0)

    def _renewing(self) -> None:
        while not self._stop.wait(RENEW):
            if self._loop is None or self._loop.is_closed():
                return   # the loop is gone (a test's, or the application's): nothing to renew for
            stalled = time.monotonic() - self.tick
            if stalled > self.stall:
                log.warning("event loop stalled for %.0f s: this process's leases are left to expire",
                            stalled)
                continue
            try:
                self.renew_held()
            except Exception:  # a database hiccup: the leases still run; try at the next beat
                log.warning("lease renewal failed", exc_info=True)

    async def stop(self) -> None:
        """Stop renewing (the leases then expire unless released)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 2.0)


def release(raw: Raw, user_id: int, holder: str) -> None:
    """Give the lease back (only if this holder still has it)."""
    raw(RELEASE, (user_id, holder))


@contextlib.contextmanager
def holding(user_id: int) -> Iterator[None]:
    """Mark the user's lease as held by the running task (``user_lease`` inside is then a no-op)."""
    token = _held.set(_held.get() | {_mine(user_id)})
    try:
        yield
    finally:
        _held.reset(token)


async def heartbeat(renew_lease: Callable[[], bool], user_id: int,
                    on_lost: Callable[[], None]) -> None:
    """Call ``renew_lease`` every ``RENEW`` seconds until cancelled; ``on_lost`` if it was lost."""
    while True:
        await asyncio.sleep(RENEW)
        try:
            kept = renew_lease()
        except Exception:  # a database hiccup: try again at the next beat, the lease still runs
            log.warning("lease renewal of user %s failed", user_id, exc_info=True)
            continue
        if not kept:
            log.warning("lease of user %s lost (held past its expiry)", user_id)
            on_lost()
            return


@contextlib.asynccontextmanager
async def user_lease(raw: Raw, user_id: int) -> AsyncIterator[None]:
    """Wait (without blocking the event loop) for the user's lease, hold and renew it, release it.

    Re-entrant within a task that already holds the user (see ``holding``).
    """
    if _mine(user_id) in _held.get():
        yield
        return
    holder, wait = new_holder(), FIRST_WAIT
    while not try_acquire(raw, user_id, holder):
        await asyncio.sleep(wait)
        wait = min(wait * 2, MAX_WAIT)
    beat = asyncio.create_task(heartbeat(lambda: renew(raw, user_id, holder), user_id, lambda: None))
    try:
        with holding(user_id):
            yield
    finally:
        beat.cancel()
        release(raw, user_id, holder)
