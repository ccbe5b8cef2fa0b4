"""The paced sender on a fake clock: pacing, 429 pauses, bounded 5xx retries, 403 blocks."""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from broadcast_worker import compose, make_fair

from bot.broadcast import (
    Blocked,
    FakeClock,
    Rejected,
    RetryLater,
    Sender,
    SenderConfig,
    SendOutcome,
    Transient,
    open_outbox,
)
from bot.broadcast.simulate import FakeTelegram


class ScriptedSend:
    """A transport that answers a chat's first attempts with the scripted outcomes (a plain
    exception is raised, as a bug in the transport would be), then delivers."""

    def __init__(self, clock: FakeClock, script: dict[int, list[Exception]] | None = None) -> None:
        self.clock, self.script = clock, defaultdict(list, script or {})
        self.calls: list[tuple[float, int]] = []
        self.delivered: Counter[int] = Counter()

    async def send_message(self, chat_id: int, text: str,
                           reply_markup: str | None = None) -> SendOutcome | None:
        self.calls.append((self.clock.monotonic(), chat_id))
        if self.script[chat_id]:
            outcome = self.script[chat_id].pop(0)
            if not isinstance(outcome, SendOutcome):
                raise outcome
            return outcome
        self.delivered[chat_id] += 1
        return None

    def times(self, chat_id: int) -> list[float]:
        return [t for t, chat in self.calls if chat == chat_id]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path, clock):
    box = open_outbox(f"sqlite:///{tmp_path / 'b.sqlite3'}", clock=clock)
    yield box
    box.close()


def _fill(outbox, count: int) -> int:
    fair_id = make_fair(outbox)
    outbox.enqueue(fair_id, [(1000 + chat, chat) for chat in range(1, count + 1)])
    return fair_id


async def test_sends_are_paced_to_the_configured_rate(outbox, clock) -> None:
    fair_id = _fill(outbox, 60)
    send = ScriptedSend(clock)
    config = SenderConfig(rate=10, burst=1)
    stats = await Sender(outbox, send, compose, config=config, clock=clock).run(until_idle=True)
    times = sorted(t for t, _ in send.calls)
    assert stats.sent == 60 and outbox.progress(fair_id)["sent"] == 60
    assert (times[-1] - times[0]) == pytest.approx(59 / 10, rel=0.02)
    for start in times:  # no one-second window holds more than rate + burst sends
        assert sum(start <= t < start + 1 for t in times) <= 10 + 1


async def test_burst_is_bounded_then_rate_holds(outbox, clock) -> None:
    _fill(outbox, 100)
    send = ScriptedSend(clock)
    config = SenderConfig(rate=30, burst=5, max_in_flight=50)
    await Sender(outbox, send, compose, config=config, clock=clock).run(until_idle=True)
    times = sorted(t for t, _ in send.calls)
    assert sum(t <= times[0] + 1e-9 for t in times) <= 5
    assert (times[-1] - times[0]) >= (100 - 5) / 30 * 0.98


async def test_429_pauses_the_whole_sender_then_retries(outbox, clock) -> None:
    fair_id = _fill(outbox, 20)
    send = ScriptedSend(clock, {3: [RetryLater(7)]})
    config = SenderConfig(rate=10, burst=1)
    stats = await Sender(outbox, send, compose, config=config, clock=clock).run(until_idle=True)
    flood_at = send.times(3)[0]
    assert not [t for t, _ in send.calls if flood_at < t < flood_at + 7]
    assert send.times(3)[1] >= flood_at + 7
    assert (stats.flood_waits, stats.paused_seconds) == (1, 7)
    assert send.delivered == Counter({chat: 1 for chat in range(1, 21)})
    assert outbox.progress(fair_id) | {} == {"sent": 20, "failed": 0, "blocked": 0,
                                             "uncertain": 0, "left": 0, "total": 20}


async def test_5xx_is_retried_with_growing_backoff_then_failed(outbox, clock) -> None:
    fair_id = _fill(outbox, 5)
    send = ScriptedSend(clock, {2: [Transient("Bad Gateway (502)")] * 10,
                                4: [Transient("Timed out")] * 2})
    config = SenderConfig(rate=10, burst=1, max_retries=3, backoff_base=1, idle_poll=0.5)
    await Sender(outbox, send, compose, config=config, clock=clock).run(until_idle=True)
    tries = send.times(2)
    gaps = [b - a for a, b in pairwise(tries)]
    assert len(tries) == 1 + 3
    for gap, backoff in zip(gaps, [1, 2, 4], strict=True):
        assert backoff <= gap < backoff + 0.2
    report = outbox.delivery_report(fair_id)
    assert report["failed"] == [{"user_id": 1002, "error": "Transient: Bad Gateway (502)"}]
    assert send.delivered[4] == 1 and len(send.times(4)) == 3
    assert report["progress"]["sent"] == 4


async def test_blocked_user_is_marked_and_reported_once(outbox, clock) -> None:
    fair_id = _fill(outbox, 6)
    blocked_users: list[int] = []

    async def on_blocked(user_id: int) -> None:
        blocked_users.append(user_id)

    send = ScriptedSend(clock, {5: [Blocked("Forbidden: bot was blocked by the user")]})
    sender = Sender(outbox, send, compose, config=SenderConfig(rate=50), clock=clock,
                    on_blocked=on_blocked)
    await sender.run(until_idle=True)
    assert blocked_users == [1005] and len(send.times(5)) == 1
    assert outbox.delivery_report(fair_id)["blocked"] == [1005]
    assert outbox.progress(fair_id)["sent"] == 5


async def test_rejected_and_unexpected_errors_fail_without_retry(outbox, clock) -> None:
    fair_id = _fill(outbox, 3)
    send = ScriptedSend(clock, {1: [Rejected("Bad Request: message is too long")],
                                2: [ValueError("bug")]})
    await Sender(outbox, send, compose, clock=clock).run(until_idle=True)
    failed = {row["user_id"] for row in outbox.delivery_report(fair_id)["failed"]}
    assert failed == {1001, 1002} and len(send.calls) == 3


async def test_each_message_carries_its_fair_and_fairs_finish(outbox, clock) -> None:
    first, second = make_fair(outbox, "春风行动招聘会"), make_fair(outbox, "线上招聘会")
    outbox.enqueue(first, [(1, 1), (2, 2)])
    outbox.enqueue(second, [(1, 1)])
    done: list[int] = []
    fake = FakeTelegram(clock=clock)
    await Sender(outbox, fake, compose, clock=clock, on_fair_done=done.append).run(until_idle=True)
    assert sorted(fake.texts) == sorted(["春风行动招聘会 马边县人力资源市场"] * 2
                                        + ["线上招聘会 马边县人力资源市场"])
    assert sorted(done) == [first, second]
    assert outbox.get_fair(first).status == "done"


@pytest.mark.parametrize("db_on_loop", [False, True], ids=["db-in-thread", "db-on-loop"])
async def test_seeded_faults_still_deliver_everyone_once(outbox, clock, db_on_loop) -> None:
    from bot.broadcast.simulate import Faults

    fair_id = _fill(outbox, 400)
    fake = FakeTelegram(Faults(flood=0.05, flood_seconds=0.5, server_error=0.05, blocked=0.02,
                               seed=7), clock=clock)
    config = SenderConfig(rate=100, backoff_base=0.1, max_retries=8, db_on_loop=db_on_loop)
    await Sender(outbox, fake, compose, config=config, clock=clock).run(until_idle=True)
    blocked = {chat for chat in range(1, 401) if fake.is_blocked(chat)}
    assert set(fake.delivered) == set(range(1, 401)) - blocked
    assert set(fake.delivered.values()) == {1}
    progress = outbox.progress(fair_id)
    assert (progress["sent"], progress["blocked"], progress["left"]) == (400 - len(blocked),
                                                                         len(blocked), 0)


async def test_rows_in_flight_at_a_crash_are_reported_and_never_resent(outbox, clock) -> None:
    fair_id = _fill(outbox, 5)
    crashed = outbox.workers.register()
    in_flight = outbox.claim(crashed, 2, clock.now())
    outbox.workers.release(crashed)  # the process died between claim and outcome
    reported: list[list[dict]] = []
    fake = FakeTelegram(clock=clock)
    stats = await Sender(outbox, fake, compose, clock=clock,
                         on_uncertain=reported.append).run(until_idle=True)
    assert [[row["user_id"] for row in rows] for rows in reported] == [[1001, 1002]]
    assert [row["id"] for row in stats.uncertain] == [claim.id for claim in in_flight]
    assert set(fake.delivered) == {3, 4, 5}
    assert outbox.delivery_report(fair_id)["uncertain"] == [1001, 1002]


async def test_a_failed_outcome_write_stops_the_run_and_loses_nothing(outbox, clock) -> None:
    fair_id = _fill(outbox, 3)
    record = outbox.record

    def broken(batch):
        raise OSError("disk full")

    outbox.record = broken
    fake = FakeTelegram(clock=clock)
    with pytest.raises(OSError, match="disk full"):
        await Sender(outbox, fake, compose, clock=clock).run(until_idle=True)
    delivered_before = set(fake.delivered)
    outbox.record = record
    again = FakeTelegram(clock=clock)
    await Sender(outbox, again, compose, clock=clock).run(until_idle=True)
    report = outbox.delivery_report(fair_id)
    assert set(report["uncertain"]) == {1000 + chat for chat in delivered_before}
    assert not set(again.delivered) & delivered_before
    assert set(again.delivered) | delivered_before == {1, 2, 3}
    assert report["progress"]["left"] == 0


async def _first_send_after(tmp_path, name: str, reserved: float) -> tuple[float, float]:
    """(first send, last - first) of 60 messages at 10/s after ``reserved`` messages were set aside."""
    clock = FakeClock()
    box = open_outbox(f"sqlite:///{tmp_path / name}", clock=clock)
    _fill(box, 60)
    send = ScriptedSend(clock)
    sender = Sender(box, send, compose, config=SenderConfig(rate=10, burst=1), clock=clock)
    sender.reserve(reserved)
    await sender.run(until_idle=True)
    box.close()
    times = sorted(t for t, _ in send.calls)
    return times[0], times[-1] - times[0]


async def test_messages_reserved_for_replies_hold_the_fair_back_at_most_a_second(tmp_path) -> None:
    """Replies to people share the bot's budget: the fair waits for what they set aside."""
    first, span = await _first_send_after(tmp_path, "none.sqlite3", 0)
    assert span == pytest.approx(5.9, rel=0.02)
    five = await _first_send_after(tmp_path, "five.sqlite3", 5)      # 0.5 s of the budget
    assert five[0] - first == pytest.approx(0.5, abs=0.02) and five[1] == pytest.approx(span, rel=0.02)
    flood = await _first_send_after(tmp_path, "flood.sqlite3", 1000)  # debt capped at 1 s
    assert flood[0] - first == pytest.approx(1.1, abs=0.02)
