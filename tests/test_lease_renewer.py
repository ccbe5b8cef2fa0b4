"""The process's lease renewer keeps its users while the event loop is busy (no takeover, so no
reply sent twice), and lets them go when the loop is stuck or the process stops renewing."""
from __future__ import annotations

import asyncio
import time

from bot.storage.locks import LEASE, LeaseRenewer, new_holder


async def test_a_busy_event_loop_keeps_its_leases(storage):
    holder = new_holder()
    assert storage.acquire_user(7, holder)
    renewer = LeaseRenewer(storage.renew_held)
    renewer.start()
    try:
        await asyncio.sleep(0.05)
        time.sleep(LEASE.total_seconds() + 2)  # noqa: ASYNC251 - the loop is blocked on purpose: only the thread renews
        assert not storage.acquire_user(7, "another-process-1234")
    finally:
        await renewer.stop()
        storage.release_user(7, holder)


async def test_a_stuck_loop_lets_its_users_go(storage):
    holder = new_holder()
    assert storage.acquire_user(8, holder)
    renewer = LeaseRenewer(storage.renew_held, stall=1.0)
    renewer.start()
    try:
        await asyncio.sleep(0.05)
        time.sleep(LEASE.total_seconds() + 2)  # noqa: ASYNC251 - stuck on purpose, longer than ``stall``
        assert storage.acquire_user(8, "another-process-1234")
    finally:
        await renewer.stop()


async def test_only_this_processs_leases_are_renewed(storage):
    assert storage.acquire_user(9, "999-otherproc-aaaa")
    assert storage.renew_held() == 0
    mine = new_holder()
    assert storage.acquire_user(10, mine)
    assert storage.renew_held() == 1
    storage.release_user(10, mine)
