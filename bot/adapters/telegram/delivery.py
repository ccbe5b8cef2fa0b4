"""The update being handled from the inbox: which messages of it were already sent, and "done".

A handler run for an inbox update sees it through ``current()``. ``send_text`` asks
``should_send()`` before each message and calls ``sent()`` after it, so a replay after a crash
skips the messages the user already has. ``apply_turn`` stores the new conversation state in the
same transaction that marks the update done (``finish``), so an input is applied once.
"""
from __future__ import annotations

import asyncio
import json
from contextvars import ContextVar
from dataclasses import dataclass, field

from bot.storage import Storage


class LeaseLost(Exception):
    """This process no longer holds the user: another one took the update over."""


@dataclass
class Delivery:
    """One claimed inbox update: ``already_sent`` messages went out before a crash."""

    storage: Storage
    update_id: int
    holder: str
    already_sent: int = 0
    position: int = 0  # messages the handler has produced so far (sent or skipped)
    finished: bool = False
    task: int = field(default_factory=lambda: id(asyncio.current_task()))  # the handling task

    def should_send(self) -> bool:
        """Whether the next message must go out (False: a replay, the user already has it)."""
        self.position += 1
        return self.position > self.already_sent

    def sent(self) -> None:
        """Record that the message at the current position went out."""
        if not self.storage.inbox.mark_sent(self.update_id, self.holder, self.position):
            self._check_still_held()

    def finish(self, states: dict[str, dict] | None = None) -> None:
        """Mark the update done, storing ``states`` (conversation key -> state) in the same transaction."""
        encoded = {key: json.dumps(state) for key, state in (states or {}).items()}
        if not self.storage.inbox.finish(self.update_id, self.holder, encoded):
            self._check_still_held()
        self.finished = True

    def _check_still_held(self) -> None:
        """A fenced write changed nothing: fine if /delete erased the row, else the lease is lost."""
        if self.storage.inbox.state(self.update_id) is not None:
            raise LeaseLost(self.update_id)


_current: ContextVar[Delivery | None] = ContextVar("inbox_delivery", default=None)


def current() -> Delivery | None:
    """The inbox update the running handler works on, or None (outside the inbox).

    A task a handler starts inherits the context but not the update: it gets None.
    """
    running = _current.get()
    if running is None or running.task != id(asyncio.current_task()):
        return None
    return running


def set_current(delivery: Delivery | None) -> object:
    """Make ``delivery`` current; returns the token for ``reset_current``."""
    return _current.set(delivery)


def reset_current(token: object) -> None:
    """Undo ``set_current``."""
    _current.reset(token)  # type: ignore[arg-type]
