"""One contract test class run against every Storage implementation (SQLite, PostgreSQL)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.storage import Reminder, Storage

BIG_ID = 7_000_000_001  # Telegram ids exceed 32 bits


def _reminder(user_id: int = BIG_ID, due: date = date(2026, 12, 1), rule: str = "r1",
              kind: str = "deadline_30") -> Reminder:
    return Reminder(user_id=user_id, chat_id=user_id, rule=rule, kind=kind, due=due,
                    text="还有30天截止", extra={"doc": "shaoxing-2021"})


class TestStorageContract:
    """What every Storage must do; the ``storage`` fixture yields each implementation."""

    def test_new_user_is_stored_with_payload(self, storage: Storage) -> None:
        stored = storage.upsert_user(BIG_ID, BIG_ID, "小王", payload="mabian")
        assert storage.get_user(BIG_ID) == stored
        assert (stored.name, stored.payload, stored.chat_id) == ("小王", "mabian", BIG_ID)

    def test_returning_user_keeps_first_seen_and_payload(self, storage: Storage) -> None:
        first = storage.upsert_user(1, 1, "a", payload="p1")
        again = storage.upsert_user(1, 2, "b")
        assert (again.first_seen, again.payload, again.chat_id, again.name) == (
            first.first_seen, "p1", 2, "b")
        assert storage.upsert_user(1, 2, "b", payload="p2").payload == "p2"

    def test_unknown_user_is_none(self, storage: Storage) -> None:
        assert storage.get_user(42) is None

    def test_conversation_state_round_trips_as_json(self, storage: Storage) -> None:
        state = {"step": "county", "answers": {"origin_county": "马边彝族自治县", "months": 3},
                 "history": [1, 2], "done": False, "note": None}
        storage.save_conversation("terminal:张三", state)
        assert storage.load_conversation("terminal:张三") == state
        assert storage.load_conversation("terminal:李四") is None

    def test_saving_replaces_the_state(self, storage: Storage) -> None:
        storage.save_conversation("tg:1", {"step": "a"})
        storage.save_conversation("tg:1", {"step": "b"})
        assert storage.load_conversation("tg:1") == {"step": "b"}

    def test_subscribe_list_unsubscribe(self, storage: Storage) -> None:
        assert storage.subscribe(1, "county", "马边彝族自治县") is True
        assert storage.subscribe(1, "county", "马边彝族自治县") is False
        storage.subscribe(1, "city", "绍兴市")
        storage.subscribe(2, "county", "马边彝族自治县")
        assert {s.user_id for s in storage.subscriptions(kind="county", key="马边彝族自治县")} == {1, 2}
        assert [s.key for s in storage.subscriptions(1)] == ["绍兴市", "马边彝族自治县"]
        assert storage.unsubscribe(1, kind="city") == 1
        assert storage.unsubscribe(1) == 1
        assert storage.subscriptions(1) == []
        assert len(storage.subscriptions()) == 1

    def test_reminder_is_unique_per_user_rule_kind_due(self, storage: Storage) -> None:
        assert storage.add_reminder(_reminder()) is True
        assert storage.add_reminder(_reminder()) is False
        assert storage.add_reminder(_reminder(kind="deadline_7")) is True
        assert storage.add_reminder(_reminder(due=date(2026, 12, 2))) is True
        assert len(storage.reminders(BIG_ID)) == 3

    def test_due_reminders_and_mark_sent(self, storage: Storage) -> None:
        storage.add_reminder(_reminder(due=date(2026, 12, 1)))
        storage.add_reminder(_reminder(due=date(2026, 11, 20), rule="r0"))
        storage.add_reminder(_reminder(due=date(2027, 1, 1), rule="r2"))
        due = storage.due_reminders(date(2026, 12, 1))
        assert [r.rule for r in due] == ["r0", "r1"]
        assert due[0].extra == {"doc": "shaoxing-2021"} and due[0].text == "还有30天截止"
        storage.mark_reminder_sent(due[0].id, datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
        assert [r.rule for r in storage.due_reminders(date(2026, 12, 1))] == ["r1"]
        sent = [r for r in storage.reminders(BIG_ID) if r.sent_at is not None]
        assert [(r.rule, r.sent_at) for r in sent] == [("r0", datetime(2026, 12, 1, 1, 0, tzinfo=UTC))]

    def test_update_ids_are_processed_once(self, storage: Storage) -> None:
        assert storage.mark_update_processed(10) is True
        assert storage.mark_update_processed(10) is False
        assert storage.mark_update_processed(11) is True

    def test_delete_user_erases_every_row_of_that_user_only(self, storage: Storage) -> None:
        for user in (BIG_ID, 2):
            storage.upsert_user(user, user, "x", payload="p")
            storage.save_conversation(f"tg:{user}", {"step": "a"})
            storage.subscribe(user, "county", "马边彝族自治县")
            storage.add_reminder(_reminder(user_id=user))
        storage.delete_user(BIG_ID)
        assert storage.get_user(BIG_ID) is None
        assert storage.load_conversation(f"tg:{BIG_ID}") is None
        assert storage.subscriptions(BIG_ID) == [] and storage.reminders(BIG_ID) == []
        assert storage.due_reminders(date(2027, 1, 1))[0].user_id == 2
        assert storage.get_user(2) is not None and storage.load_conversation("tg:2") is not None

    def test_old_update_ids_are_pruned(self, storage: Storage) -> None:
        storage.mark_update_processed(1)
        assert storage.prune_processed_updates(datetime.now(UTC) - timedelta(days=1)) == 0
        assert storage.prune_processed_updates(datetime.now(UTC) + timedelta(seconds=5)) == 1
        assert storage.mark_update_processed(1) is True


COUNTER_KEY = "tg:77"
WORKER = """
import asyncio, sys
from bot.storage import open_storage

async def bump(storage, times, locked):
    for _ in range(times):
        async with (storage.user_lock(77) if locked else asyncio.Lock()):
            state = storage.load_conversation("tg:77") or {"n": 0}
            await asyncio.sleep(0.001)  # another task or process gets its chance to interleave
            storage.save_conversation("tg:77", {"n": state["n"] + 1})

async def main(url, tasks, times, locked):
    storage = open_storage(url)
    await asyncio.gather(*(bump(storage, times, locked) for _ in range(tasks)))
    storage.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "locked"))
"""


def _bump_in_processes(storage, processes: int, tasks: int, times: int, locked: bool) -> int:
    """Run read-modify-write increments of one user's state in parallel processes; the final count."""
    import subprocess
    import sys
    from pathlib import Path

    url = storage.engine.url.render_as_string(hide_password=False)
    args = [sys.executable, "-c", WORKER, url, str(tasks), str(times), "locked" if locked else "free"]
    root = Path(__file__).resolve().parent.parent
    running = [subprocess.Popen(args, cwd=root) for _ in range(processes)]
    assert [p.wait(60) for p in running] == [0] * processes
    return storage.load_conversation(COUNTER_KEY)["n"]


class TestUserLock:
    """``user_lock`` keeps one user's read-modify-write whole across tasks and processes."""

    def test_the_workload_loses_updates_without_the_lock(self, storage) -> None:
        assert _bump_in_processes(storage, processes=1, tasks=3, times=5, locked=False) < 15

    def test_no_update_is_lost_with_the_lock(self, storage) -> None:
        assert _bump_in_processes(storage, processes=2, tasks=3, times=10, locked=True) == 60

    async def test_a_held_lease_blocks_and_its_release_frees_it(self, storage) -> None:
        import asyncio

        from bot.storage import locks

        async with storage.user_lock(BIG_ID):
            assert not locks.try_acquire(storage._raw, BIG_ID, "other")
            waiter = asyncio.create_task(self._hold(storage, BIG_ID))
            await asyncio.sleep(0.05)
            assert not waiter.done()
        await asyncio.wait_for(waiter, 5)
        assert locks.try_acquire(storage._raw, BIG_ID, "other")

    def test_an_expired_lease_of_a_dead_process_is_taken_over(self, storage) -> None:
        from bot.storage import locks

        storage._raw("INSERT INTO user_locks (user_id, holder, expires_at) VALUES (?, ?, ?)",
                     (BIG_ID, "dead", datetime(2020, 1, 1)))
        assert locks.try_acquire(storage._raw, BIG_ID, "alive")
        assert not locks.try_acquire(storage._raw, BIG_ID, "late")

    @staticmethod
    async def _hold(storage, user_id: int) -> None:
        async with storage.user_lock(user_id):
            pass
