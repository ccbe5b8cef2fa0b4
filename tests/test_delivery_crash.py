"""Crash test: the bot (a real `python -m bot run`, polling the fake Bot API) is killed with
SIGKILL at random moments, ten times, while ten workers go through the interview; on SQLite
and on PostgreSQL.

Every input must be answered, in order: each worker ends with exactly the messages the same
inputs get from a bot that is never killed (the reference, in-process). No message twice, with
the one exception no bot can avoid (ARCHITECTURE.md, "Delivery"): a message Telegram accepted
in the last moment before the SIGKILL, before the bot could record that it went out, is sent
again after the restart. Such a repeat must follow its original directly, and the original
must have been accepted less than ``IN_FLIGHT`` seconds before a kill.
"""
from __future__ import annotations

import asyncio
import itertools
import random
import threading
import time
from collections.abc import Iterator

import pytest
from botprocess import BotProcess
from interview_script import STEPS, push, reference
from pgschema import backend_url

WORKERS = range(9001, 9011)
KILLS = 10
REPLY_WAIT = 40.0  # one input's answer, across a restart on a loaded machine
IN_FLIGHT = 0.5  # seconds from "Telegram accepted it" to "recorded as sent", on a loaded machine


def converse(api, user: int, inputs, replies, failures: list) -> None:
    """One worker: each input after the previous one was fully answered."""
    expected = 0
    for (kind, value), answer in zip(inputs, replies, strict=True):
        expected += len(answer)
        push(api, user, kind, value)
        if not api.wait_for_calls(lambda count=expected: len(api.sent(user)) >= count, REPLY_WAIT):
            failures.append(f"user {user}: no answer to {value!r}")
            return


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """The bot's database: a SQLite file, then a fresh PostgreSQL schema."""
    with backend_url(request.param, "crash", tmp_path / "bot.sqlite3") as url:
        yield url


def test_kill_9_at_random_points_every_input_answered_once(fake_server, tmp_path, database_url):
    inputs, replies = asyncio.run(reference(tmp_path))
    api, bot = fake_server.api, BotProcess(fake_server, tmp_path)
    bot.env["DATABASE_URL"] = database_url
    chance = random.Random()
    seed = chance.randrange(1_000_000)
    chance.seed(seed)
    started, kills = time.monotonic(), []
    bot.start()
    failures: list[str] = []
    workers = [threading.Thread(target=converse, args=(api, user, inputs, replies, failures))
               for user in WORKERS]
    try:
        for worker in workers:
            worker.start()
        for _ in range(KILLS):
            time.sleep(chance.uniform(0.05, 1.0))
            bot.kill()
            kills.append(time.monotonic())
            bot.start()
        for worker in workers:
            worker.join(REPLY_WAIT * 2)
    finally:
        bot.stop()
    elapsed = time.monotonic() - started
    assert not failures, (seed, failures, bot.log())
    expected = [text for answer in replies for text in answer]
    assert all(a != b for a, b in itertools.pairwise(expected))  # so a repeat is recognisable
    repeats = 0
    for user in WORKERS:
        seen, repeated = without_in_flight_repeats(api, user, kills)
        assert seen == expected, (seed, user, bot.log())
        repeats += repeated
    print(f"\n{KILLS} kills, {len(WORKERS)} interviews, {len(WORKERS) * len(STEPS)} inputs: "
          f"all answered in order; {repeats} message(s) in flight at a kill sent again; "
          f"{elapsed:.1f} s")
    assert repeats <= KILLS
    assert elapsed < 60, f"took {elapsed:.0f} s"


def without_in_flight_repeats(api, user: int, kills: list[float]) -> tuple[list[str], int]:
    """The user's messages with each allowed repeat removed, and how many were removed."""
    calls = [c for c in api.calls if c.method == "sendMessage" and c.status == 200
             and c.params["chat_id"] == user]
    kept, repeats = [], 0
    for previous, call in zip([None, *calls], calls, strict=False):
        in_flight = previous is not None and previous.params["text"] == call.params["text"] and any(
            0 <= kill - previous.at < IN_FLIGHT and previous.at < kill < call.at for kill in kills)
        if in_flight:
            repeats += 1
        else:
            kept.append(call.params["text"])
    return kept, repeats
