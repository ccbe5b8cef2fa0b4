"""A per-user lock shared by every bot process on one database: a lease row in ``user_locks``.

A lease (INSERT … ON CONFLICT DO UPDATE … WHERE expired) rather than a PostgreSQL advisory
lock: it holds no connection while the handler awaits Telegram, so many users waiting at once
cannot exhaust the pool, and the same SQL works on SQLite and PostgreSQL. A process that dies
holding a lease blocks that one user for at most ``LEASE`` seconds.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

LEASE = timedelta(seconds=60)  # longer than any one update takes (Telegram retries included)
FIRST_WAIT, MAX_WAIT = 0.002, 0.02  # seconds between tries while another process holds the user

ACQUIRE = ("INSERT INTO user_locks (user_id, holder, expires_at) VALUES (?, ?, ?) "
           "ON CONFLICT (user_id) DO UPDATE SET holder = excluded.holder, "
           "expires_at = excluded.expires_at WHERE user_locks.expires_at < ? "
           "RETURNING holder")
RELEASE = "DELETE FROM user_locks WHERE user_id = ? AND holder = ?"

Raw = Callable[..., list | None]


def new_holder() -> str:
    """A name for one acquisition, unique across processes."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:16]}"


def try_acquire(raw: Raw, user_id: int, holder: str) -> bool:
    """Take the user's lease if it is free or expired; True when this holder has it."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = raw(ACQUIRE, (user_id, holder, now + LEASE, now), fetch=True)
    return bool(rows) and rows[0][0] == holder


def release(raw: Raw, user_id: int, holder: str) -> None:
    """Give the lease back (only if this holder still has it)."""
    raw(RELEASE, (user_id, holder))


@contextlib.asynccontextmanager
async def user_lease(raw: Raw, user_id: int) -> AsyncIterator[None]:
    """Wait (without blocking the event loop) for the user's lease, hold it, release it."""
    holder, wait = new_holder(), FIRST_WAIT
    while not try_acquire(raw, user_id, holder):
        await asyncio.sleep(wait)
        wait = min(wait * 2, MAX_WAIT)
    try:
        yield
    finally:
        release(raw, user_id, holder)
