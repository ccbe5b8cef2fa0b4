"""Two `python -m bot run` webhook processes on one PostgreSQL database, behind one bot token.

Every update is POSTed to one process or to both (a duplicate delivery); a user's successive
updates alternate between the processes. Each update must be handled once, and each user's
conversation must end exactly where the same inputs sent once to one process leave it.
"""
from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botprocess import WebhookBot
from interview_script import push as push_input
from interview_script import reference
from pgschema import postgres_schema_url

from bot.core.render import text
from bot.storage import open_storage

WAIT = 60.0  # two interpreters starting on a loaded 2-core CI machine
REFERENCE = 5000          # sends every update once, to process 0 only
USERS = (5001, 5002, 5003, 5004)


@pytest.fixture
def database_url():
    with postgres_schema_url("m") as url:
        yield url


@pytest.fixture
def bots(fake_server, database_url, tmp_path):
    """Two processes started at once on an empty schema (they migrate it one after the other)."""
    started = [WebhookBot(fake_server, database_url, tmp_path / f"bot{i}.log") for i in (0, 1)]
    api = fake_server.api
    ready = api.wait_for_calls(lambda: api.call_count("setWebhook") == 2, WAIT)
    assert ready, "\n".join(bot.log() for bot in started)
    yield started
    for bot in started:
        bot.stop()


def _settled(api, user: int, before: int) -> int:
    """Wait for the bot's first answer to an input, then until it stops talking; the count."""
    assert api.wait_for_calls(lambda: len(api.sent(user)) > before, WAIT), f"no reply to {user}"
    count = 0
    while count != len(api.sent(user)):
        count = len(api.sent(user))
        api.wait_for_calls(lambda seen=count: len(api.sent(user)) > seen, 0.4)
    return count


def _button(api, user: int, label: str) -> str:
    """The callback data of the button labelled ``label`` in the user's last keyboard."""
    for params in reversed(api.sent(user)):
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    return button["callback_data"]
    raise AssertionError(f"no button {label!r} for {user}")


def _inputs(api, user: int):
    """The interview's first steps, as functions that push the next update of ``user``."""
    return [lambda: api.push_command(user, "start", "two"),
            lambda: api.push_callback(user, _button(api, user, text("interview.start_button"))),
            lambda: api.push_text(user, "马边"),
            lambda: api.push_callback(user, _button(
                api, user, text("choice.person_category.poverty_alleviated")))]


def _converse(api, bots, user: int) -> list[int]:
    """Send the user's inputs: even steps to one process, odd steps to both at once."""
    update_ids = []
    for step, push in enumerate(_inputs(api, user)):
        before = len(api.sent(user))
        update = push()
        update_ids.append(update["update_id"])
        if user == REFERENCE:
            targets = [bots[0]]
        elif step % 2 == 0:
            targets = [bots[(user + step) % 2]]
        else:
            targets = bots
        with ThreadPoolExecutor(len(targets)) as pool:
            assert list(pool.map(lambda bot, sent=update: bot.post(sent), targets)) == [200] * len(targets)
        _settled(api, user, before)
    return update_ids


def test_each_update_once_and_in_order_across_two_processes(bots, fake_server, database_url):
    api = fake_server.api
    reference_ids = _converse(api, bots, REFERENCE)
    with ThreadPoolExecutor(len(USERS)) as pool:
        update_ids = dict(zip(USERS, pool.map(lambda user: _converse(api, bots, user), USERS),
                              strict=True))
    time.sleep(1.0)  # a duplicate handled late would answer now

    expected = api.replies_to(REFERENCE)
    assert text("question.work_place") in expected[-1]
    for user in USERS:
        assert api.replies_to(user) == expected, f"user {user}"
    callbacks = 2 * (len(USERS) + 1)
    assert api.call_count("answerCallbackQuery") == callbacks
    assert all(call.status == 200 for call in api.calls), [c for c in api.calls if c.status != 200]

    storage = open_storage(database_url)
    try:
        final = storage.load_conversation(f"tg:{REFERENCE}")
        assert final["pending"] == "work_place"
        assert all(storage.load_conversation(f"tg:{user}") == final for user in USERS)
        handled = reference_ids + [i for ids in update_ids.values() for i in ids]
        assert {storage.inbox.state(i) for i in handled} == {"done"}  # recorded, handled, done
    finally:
        storage.close()
    assert all(bot.process.poll() is None for bot in bots), [bot.log() for bot in bots]


TYPISTS = range(6001, 6031)
TYPING_GAP = 0.010  # seconds between one user's inputs


def _type_fast(bots, api, user: int, inputs) -> None:
    """Send every input without waiting for answers, alternating processes, 10 ms apart."""
    for step, (kind, value) in enumerate(inputs):
        update = push_input(api, user, kind, value)
        assert bots[(user + step) % 2].post(update) == 200
        time.sleep(TYPING_GAP)


def test_quick_inputs_alternating_between_processes_are_applied_in_order(
        bots, fake_server, database_url, tmp_path):
    inputs, replies = asyncio.run(reference(tmp_path))
    expected = [text for answer in replies for text in answer]
    api = fake_server.api
    with ThreadPoolExecutor(len(TYPISTS)) as pool:
        list(pool.map(lambda user: _type_fast(bots, api, user, inputs), TYPISTS))
    done = api.wait_for_calls(
        lambda: all(len(api.sent(user)) >= len(expected) for user in TYPISTS), WAIT)
    time.sleep(1.0)  # anything handled twice or late would show now
    right = [user for user in TYPISTS if api.replies_to(user) == expected]
    assert done and len(right) == len(TYPISTS), (
        f"{len(right)} of {len(TYPISTS)} interviews right", [bot.log() for bot in bots])
    storage = open_storage(database_url)
    try:
        states = [storage.load_conversation(f"tg:{user}") for user in TYPISTS]
        assert all(state == states[0] for state in states)
    finally:
        storage.close()
