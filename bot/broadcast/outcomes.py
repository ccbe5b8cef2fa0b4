"""What a send can report back: the refusals a :class:`~bot.broadcast.transport.Transport`
returns (they are exceptions so the outbox can store ``TypeName: detail`` and a caller may
raise one; delivered is ``None``)."""
from __future__ import annotations


class SendOutcome(Exception):
    """Base of the refusals a transport's ``send_message`` returns."""


class RetryLater(SendOutcome):
    """Flood limit (HTTP 429): the whole sender pauses ``seconds``, then retries the message."""

    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {seconds}s")
        self.seconds = float(seconds)


class Blocked(SendOutcome):
    """The user blocked the bot or is gone (HTTP 403): never try again."""


class Transient(SendOutcome):
    """A 5xx answer, a timeout or a network error: retry with backoff a bounded number of times."""


class Rejected(SendOutcome):
    """A permanent refusal (HTTP 400 and the like): the message is marked failed at once."""
