"""What tests ask the fake Bot API: calls made, messages sent, waiting for replies."""
from __future__ import annotations

import time
from collections.abc import Callable


class CallQueries:
    """Mixin of FakeBotApi: look at and wait for recorded calls."""

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """Accepted sendMessage calls (to ``chat_id`` when given), in order."""
        with self._cond:
            return [call.params for call in self.calls if call.method == "sendMessage"
                    and call.status == 200 and chat_id in (None, call.params["chat_id"])]

    def replies_to(self, chat_id: int) -> list[str]:
        """Texts sent to ``chat_id``."""
        return [params["text"] for params in self.sent(chat_id)]

    def call_count(self, method: str) -> int:
        """How many accepted calls of ``method``."""
        with self._cond:
            return sum(call.method == method and call.status == 200 for call in self.calls)

    def wait_for_calls(self, ready: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait until ``ready()`` holds; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not ready():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def wait_for_replies(self, chat_id: int, count: int, timeout: float = 10.0) -> list[str]:
        """Wait until ``chat_id`` got ``count`` messages in all; return their texts."""
        self.wait_for_calls(lambda: len(self.sent(chat_id)) >= count, timeout)
        return self.replies_to(chat_id)
