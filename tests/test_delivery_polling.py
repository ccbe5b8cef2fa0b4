"""Polling survives what the Bot API does to it: unreachable at start, 401, 409, 502, connection
refused mid-run. After each, the bot answers the next message; the log says what happened and
never shows the token.
"""
from __future__ import annotations

import logging
import threading
from typing import ClassVar

from botprocess import BotProcess, free_port
from fakebotapi import TOKEN, FakeBotApi, FakeBotApiServer

from bot.adapters.telegram.log_setup import MASK, TokenMask

USER = 4545
WAIT = 30.0


class FailingPolls:
    """Fault hook: the next getUpdates calls answer these statuses, one each."""

    BODIES: ClassVar[dict[int, str]] = {401: "Unauthorized", 409: "Conflict: terminated by other getUpdates request",
              502: "Bad Gateway"}

    def __init__(self) -> None:
        self.queue: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, method: str, params: dict):
        with self.lock:
            if method != "getUpdates" or not self.queue:
                return None
            status = self.queue.pop(0)
        return status, {"ok": False, "error_code": status, "description": self.BODIES[status]}


def _answered(api, bot: BotProcess, text: str) -> None:
    """The user writes; the bot answers."""
    before = len(api.sent(USER))
    api.push_text(USER, text)
    assert api.wait_for_calls(lambda: len(api.sent(USER)) > before, WAIT), bot.log()


def test_polling_survives_401_409_502_and_lost_connections(tmp_path):
    api, faults, port = FakeBotApi(), FailingPolls(), free_port()
    api.fault = faults
    bot = BotProcess(None, tmp_path, base_url=f"http://127.0.0.1:{port}")
    bot.spawn()  # nothing listens yet: start-up must wait for the Bot API, not exit
    server = None
    try:
        # Wait for the bot's own word that it found nothing there (a fixed pause was too short
        # when the machine is busy and the interpreter takes seconds to start).
        unreachable = tmp_path / "bot.log"
        for _ in range(int(WAIT * 10)):
            if unreachable.exists() and "Bot API unreachable at start" in unreachable.read_text("utf-8"):
                break
            threading.Event().wait(0.1)
        assert bot.process.poll() is None, bot.log()
        server = FakeBotApiServer(api, port).start()
        bot.server = server
        assert api.wait_for_calls(lambda: api.call_count("setMyCommands") > 0, WAIT), bot.log()
        _answered(api, bot, "/start")
        for status in (401, 409, 502):
            with faults.lock:
                faults.queue.append(status)
            assert api.wait_for_calls(lambda: not faults.queue, WAIT), bot.log()
            _answered(api, bot, "/help")
        server.halt()  # connection refused
        threading.Event().wait(1.5)
        server = FakeBotApiServer(api, port).start()
        _answered(api, bot, "/help")
        assert bot.process.poll() is None, bot.log()
    finally:
        bot.stop()
        if server is not None:
            server.stop()
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    statuses = [c.status for c in api.calls if c.method == "getUpdates"]
    assert {401, 409, 502} <= set(statuses), statuses
    for line in ("Bot API unreachable at start", "401 Unauthorized", "409 Conflict", "Bad Gateway",
                 "getUpdates works again"):
        assert line in log, line
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


def test_the_token_is_masked_in_messages_arguments_and_tracebacks():
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect()
    handler.addFilter(TokenMask(TOKEN))
    logger = logging.getLogger("test.token")
    logger.addHandler(handler)
    try:
        logger.warning("calling http://x/bot%s/getUpdates", TOKEN)
        logger.warning(f"inline {TOKEN} and encoded {TOKEN.replace(':', '%3A')}")
        try:
            raise RuntimeError(f"request to /bot{TOKEN}/sendMessage failed")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert len(records) == 3
    assert all(TOKEN.split(":")[1] not in record for record in records), records
    assert all(MASK in record for record in records)
    assert "RuntimeError" in records[2]
