"""The outbox contract, run on SQLite and on a real PostgreSQL (TEST_POSTGRES_URL)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from broadcast_worker import BACKENDS, database_url, make_fair

from bot.broadcast import FakeClock, open_outbox

BIG = 7_000_000_001  # Telegram ids exceed 32 bits


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(db_url, clock):
    box = open_outbox(db_url, clock=clock)
    yield box
    box.close()


def _state(outbox, fair_id: int) -> dict[str, int]:
    progress = outbox.progress(fair_id)
    return {key: value for key, value in progress.items() if value}


def test_enqueue_is_idempotent_per_fair_and_user(outbox) -> None:
    fair_id, other = make_fair(outbox), make_fair(outbox, "另一场")
    assert outbox.enqueue(fair_id, [(1, 11), (BIG, BIG)]) == 2
    assert outbox.enqueue(fair_id, [(BIG, BIG), (3, 13), (3, 13)]) == 1
    assert outbox.enqueue(other, [(1, 11)]) == 1
    assert _state(outbox, fair_id) == {"left": 3, "total": 3}
    many = [(user, user) for user in range(100, 2600)]
    assert outbox.enqueue(fair_id, many) == 2500
    assert outbox.enqueue(fair_id, many) == 0
    assert outbox.progress(fair_id)["total"] == 2503


def test_sent_rows_stay_sent_when_enqueued_again(outbox, clock) -> None:
    fair_id = make_fair(outbox)
    outbox.enqueue(fair_id, [(BIG, BIG), (2, 2)])
    worker = outbox.workers.register()
    claims = outbox.claim(worker, 10, clock.now())
    assert [(c.user_id, c.chat_id, c.attempts) for c in claims] == [(BIG, BIG, 1), (2, 2, 1)]
    outbox.mark_sent(claims[0].id, worker, clock.now())
    assert outbox.enqueue(fair_id, [(BIG, BIG), (2, 2)]) == 0
    assert _state(outbox, fair_id) == {"sent": 1, "left": 1, "total": 2}


def test_claim_takes_due_rows_once_in_order(outbox, clock) -> None:
    fair_id = make_fair(outbox)
    outbox.enqueue(fair_id, [(user, user) for user in (5, 6, 7)])
    worker = outbox.workers.register()
    first = outbox.claim(worker, 2, clock.now())
    assert [c.user_id for c in first] == [5, 6]
    assert [c.user_id for c in outbox.claim(worker, 5, clock.now())] == [7]
    assert outbox.claim(worker, 5, clock.now()) == []
    later = clock.now() + timedelta(seconds=30)
    outbox.mark_retry(first[0].id, worker, clock.now(), later, "Bad Gateway", transient=True)
    assert outbox.claim(worker, 5, clock.now()) == []
    assert outbox.next_due() == later
    again = outbox.claim(worker, 5, later)
    assert [(c.user_id, c.attempts, c.retries) for c in again] == [(5, 2, 1)]


def test_only_the_claiming_worker_writes_the_outcome(outbox, clock) -> None:
    fair_id = make_fair(outbox)
    outbox.enqueue(fair_id, [(1, 1)])
    worker, stranger = outbox.workers.register(), outbox.workers.register()
    claim = outbox.claim(worker, 1, clock.now())[0]
    outbox.mark_sent(claim.id, stranger, clock.now())
    assert _state(outbox, fair_id) == {"left": 1, "total": 1}
    outbox.mark_final(claim.id, worker, clock.now(), "blocked", "Forbidden")
    outbox.mark_sent(claim.id, worker, clock.now())
    assert _state(outbox, fair_id) == {"blocked": 1, "total": 1}


def test_progress_and_delivery_report(outbox, clock) -> None:
    fair_id = make_fair(outbox)
    outbox.enqueue(fair_id, [(user, user) for user in range(1, 6)])
    worker = outbox.workers.register()
    one, two, three, four, _ = outbox.claim(worker, 5, clock.now())
    outbox.mark_sent(one.id, worker, clock.now())
    outbox.mark_final(two.id, worker, clock.now(), "blocked", "Forbidden: bot was blocked")
    outbox.mark_final(three.id, worker, clock.now(), "failed", "Transient: Bad Gateway")
    outbox.mark_retry(four.id, worker, clock.now(), clock.now(), "429", transient=False)
    report = outbox.delivery_report(fair_id)
    assert report["progress"] == {"sent": 1, "failed": 1, "blocked": 1, "uncertain": 0,
                                  "left": 2, "total": 5}
    assert (report["blocked"], report["failed"]) == (
        [2], [{"user_id": 3, "error": "Transient: Bad Gateway"}])
    assert (report["title"], report["status"], report["uncertain"]) == ("招聘会", "sending", [])


def test_rows_of_a_dead_sender_become_uncertain_and_are_never_claimed(db_url, clock) -> None:
    crashed, restarted = open_outbox(db_url, clock=clock), open_outbox(db_url, clock=clock)
    try:
        fair_id = make_fair(crashed)
        crashed.enqueue(fair_id, [(user, user) for user in range(1, 5)])
        dead = crashed.workers.register()
        in_flight = crashed.claim(dead, 2, clock.now())
        crashed.workers.release(dead)  # on PostgreSQL: its lock goes with its connection
        alive = restarted.workers.register()
        found = restarted.recover(alive, clock.now())
        assert [(row["user_id"], row["fair_id"]) for row in found] == [(1, fair_id), (2, fair_id)]
        assert [c.user_id for c in restarted.claim(alive, 10, clock.now())] == [3, 4]
        assert restarted.recover(alive, clock.now()) == []
        assert restarted.delivery_report(fair_id)["uncertain"] == [c.user_id for c in in_flight]
    finally:
        crashed.close()
        restarted.close()


def test_postgres_leaves_a_live_peers_rows_alone(tmp_path, clock) -> None:
    with database_url("postgresql", tmp_path) as url:
        peer, me = open_outbox(url, clock=clock), open_outbox(url, clock=clock)
        try:
            fair_id = make_fair(peer)
            peer.enqueue(fair_id, [(1, 1), (2, 2)])
            busy = peer.workers.register()
            peer.claim(busy, 2, clock.now())
            mine = me.workers.register()
            assert me.recover(mine, clock.now()) == []
            peer.workers.release(busy)
            assert [row["user_id"] for row in me.recover(mine, clock.now())] == [1, 2]
        finally:
            peer.close()
            me.close()


def test_fair_schedule_sending_done(outbox, clock) -> None:
    fair_id = make_fair(outbox)
    assert outbox.get_fair(fair_id).status == "draft"
    outbox.set_fair_status(fair_id, "scheduled", send_at=clock.now() + timedelta(hours=1))
    assert outbox.due_fairs(clock.now()) == []
    due = outbox.due_fairs(clock.now() + timedelta(hours=1))
    assert [(f.id, f.target_counties) for f in due] == [(fair_id, ["马边彝族自治县"])]
    outbox.enqueue(fair_id, [(1, 1)])
    assert outbox.get_fair(fair_id).status == "sending"
    assert outbox.finish_fairs() == []
    worker = outbox.workers.register()
    outbox.mark_sent(outbox.claim(worker, 1, clock.now())[0].id, worker, clock.now())
    assert outbox.finish_fairs() == [fair_id]
    assert outbox.get_fair(fair_id).status == "done"


def test_only_staff_resend_uncertain_or_failed_rows(outbox, clock) -> None:
    fair_id = make_fair(outbox)
    outbox.enqueue(fair_id, [(user, user) for user in (1, 2, 3)])
    dead = outbox.workers.register()
    first, second, _ = outbox.claim(dead, 3, clock.now())
    outbox.mark_sent(first.id, dead, clock.now())
    outbox.mark_final(second.id, dead, clock.now(), "failed", "Transient: Bad Gateway")
    outbox.workers.release(dead)
    alive = outbox.workers.register()
    assert [row["user_id"] for row in outbox.recover(alive, clock.now())] == [3]
    assert outbox.finish_fairs() == [fair_id]
    assert outbox.resend(fair_id, [1, 2, 3]) == 2
    assert outbox.get_fair(fair_id).status == "sending"
    claims = outbox.claim(alive, 5, clock.now())
    assert [(c.user_id, c.attempts, c.retries) for c in claims] == [(2, 2, 0), (3, 2, 0)]


def test_unknown_fair_status_is_refused(outbox) -> None:
    with pytest.raises(ValueError, match="unknown fair status"):
        outbox.set_fair_status(make_fair(outbox), "sent")
