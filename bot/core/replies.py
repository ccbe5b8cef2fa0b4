"""What the core hands to adapters: replies with rows of buttons, one Turn per input."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_REPLY_CHARS = 4000
MAX_BUTTON_DATA = 64


@dataclass(frozen=True)
class Button:
    """A button: short Chinese label, ASCII data of at most 64 bytes."""

    label: str
    data: str

    def __post_init__(self) -> None:
        if not self.data.isascii() or len(self.data.encode()) > MAX_BUTTON_DATA:
            raise ValueError(f"button data must be ASCII and <= 64 bytes: {self.data!r}")


@dataclass
class Reply:
    """One message: rendered plain text and rows of buttons."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)


@dataclass
class Turn:
    """The result of one input: the new state, the replies to show, events for the adapter."""

    state: dict[str, Any]
    replies: list[Reply]
    events: list[dict[str, Any]] = field(default_factory=list)


def rows(buttons: list[Button], per_row: int = 3) -> list[list[Button]]:
    """Lay buttons out in rows of ``per_row``."""
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]


def pack(items: list[tuple[str, list[Button]]], limit: int = MAX_REPLY_CHARS) -> list[Reply]:
    """Join text items into as few replies as fit under ``limit``, splitting at item boundaries."""
    replies: list[Reply] = []
    for text, buttons in items:
        text = text[:limit]
        if replies and len(replies[-1].text) + 2 + len(text) <= limit:
            replies[-1].text += "\n\n" + text
            replies[-1].buttons.extend([b] for b in buttons)
        else:
            replies.append(Reply(text, [[b] for b in buttons]))
    return replies
