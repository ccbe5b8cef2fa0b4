"""The update inbox and the short lease, against every Storage implementation (SQLite, PostgreSQL).

What the delivery guarantees rest on: an update is recorded once, a user's updates are claimed
lowest update_id first and only by the lease holder, and every write of a holder that lost
the user changes nothing.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.storage import Storage
from bot.storage.locks import LEASE

USER = 7_000_000_002  # Telegram ids exceed 32 bits


def _record(storage: Storage, update_id: int, user: int = USER) -> bool:
    return storage.inbox.record(update_id, user, json.dumps({"update_id": update_id}))


class TestInbox:
    def test_an_update_is_recorded_once(self, storage: Storage) -> None:
        assert _record(storage, 10) is True
        assert _record(storage, 10) is False  # redelivered
        assert storage.inbox.state(10) == "received"
        assert storage.inbox.state(11) is None

    def test_updates_arriving_out_of_order_are_claimed_in_update_id_order(self, storage) -> None:
        for update_id in (12, 10, 11):
            _record(storage, update_id)
        _record(storage, 9, user=USER + 1)  # another user's update is not in this queue
        assert storage.acquire_user(USER, "me")
        handled = []
        while (item := storage.inbox.claim_next(USER, "me", LEASE)) is not None:
            handled.append(item.update_id)
            assert storage.inbox.finish(item.update_id, "me")
        assert handled == [10, 11, 12]
        assert storage.inbox.pending_users() == [USER + 1]

    def test_only_the_lease_holder_can_claim(self, storage: Storage) -> None:
        _record(storage, 20)
        assert storage.acquire_user(USER, "me")
        assert not storage.acquire_user(USER, "other")
        assert storage.inbox.claim_next(USER, "other", LEASE) is None
        assert storage.inbox.claim_next(USER, "me", LEASE).update_id == 20

    def test_a_holder_that_lost_its_claim_changes_nothing(self, storage: Storage) -> None:
        _record(storage, 30)
        storage.acquire_user(USER, "slow")
        storage.inbox.claim_next(USER, "slow", LEASE)
        storage._raw("UPDATE user_locks SET expires_at = ? WHERE user_id = ?",  # it stalled
                     (datetime(2020, 1, 1), USER))
        assert storage.acquire_user(USER, "fast")
        assert not storage.renew_user(USER, "slow")
        assert storage.inbox.claim_next(USER, "fast", LEASE).update_id == 30
        assert not storage.inbox.mark_sent(30, "slow", 1)
        assert not storage.inbox.finish(30, "slow", {"tg:1": json.dumps({"by": "slow"})})
        assert storage.load_conversation("tg:1") is None  # the state went with the fenced "done"
        assert storage.inbox.mark_sent(30, "fast", 1)
        assert storage.inbox.finish(30, "fast", {"tg:1": json.dumps({"by": "fast"})})
        assert storage.load_conversation("tg:1") == {"by": "fast"}
        assert storage.inbox.state(30) == "done"

    def test_a_replay_knows_how_many_messages_went_out(self, storage: Storage) -> None:
        _record(storage, 40)
        storage.acquire_user(USER, "first")
        storage.inbox.claim_next(USER, "first", LEASE)
        storage.inbox.mark_sent(40, "first", 2)  # then the process died
        storage._raw("DELETE FROM user_locks WHERE user_id = ?", (USER,))
        storage.acquire_user(USER, "second")
        assert storage.inbox.claim_next(USER, "second", LEASE).sent == 2

    def test_done_updates_are_pruned_after_a_day_and_forgotten_on_delete(self, storage) -> None:
        for update_id in (50, 51, 52):
            _record(storage, update_id)
        storage.acquire_user(USER, "me")
        storage.inbox.finish(storage.inbox.claim_next(USER, "me", LEASE).update_id, "me")
        assert storage.prune_processed_updates(datetime.now(UTC) - timedelta(days=1)) == 0
        assert storage.prune_processed_updates(datetime.now(UTC) + timedelta(seconds=5)) == 1
        storage.inbox.claim_next(USER, "me", LEASE)  # 51 being handled when /delete erases
        storage.delete_user(USER)
        assert [storage.inbox.state(i) for i in (50, 51, 52)] == [None, None, "received"]
