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
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

LEASE = timedelta(seconds=5)  # a dead holder blocks its user this long at most
RENEW = 1.5  # seconds between renewals by a live holder (three chances per lease)
FIRST_WAIT, MAX_WAIT = 0.002, 0.05  # seconds between tries while another process holds the user

ACQUIRE = ("INSERT INTO user_locks (user_id, holder, expires_at) VALUES (?, ?, ?) "
           "ON CONFLICT (user_id) DO UPDATE SET holder = excluded.holder, "
           "expires_at = excluded.expires_at WHERE user_locks.expires_at < ? "
           "RETURNING holder")
RENEW_SQL = "UPDATE user_locks SET expires_at = ? WHERE user_id = ? AND holder = ?"
RELEASE = "DELETE FROM user_locks WHERE user_id = ? AND holder = ?"

Raw = Callable[..., Any]  # SqlStorage._raw: (sql, params, fetch=False) -> rows | rowcount
log = logging.getLogger(__name__)
_held: ContextVar[frozenset[tuple[int, int]]] = ContextVar("held_user_leases", default=frozenset())


def _mine(user_id: int) -> tuple[int, int]:
    """The user in the running task (a task created inside inherits the context, not the lease)."""
    return user_id, id(asyncio.current_task())


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_holder() -> str:
    """A name for one acquisition, unique across processes."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:16]}"


def try_acquire(raw: Raw, user_id: int, holder: str) -> bool:
    """Take the user's lease if it is free or expired; True when this holder has it."""
    now = _now()
    rows = raw(ACQUIRE, (user_id, holder, now + LEASE, now), fetch=True)
    return bool(rows) and rows[0][0] == holder


def renew(raw: Raw, user_id: int, holder: str) -> bool:
    """Extend the holder's lease by ``LEASE``; False when it was lost (expired and taken over)."""
    return bool(raw(RENEW_SQL, (_now() + LEASE, user_id, holder)))


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
