"""``python -m bot chat``: the interview in a terminal, through the same core and templates.

Buttons are shown as numbered options; typing the number presses it. Ctrl-D or ``/quit``
ends the chat. With a ``store`` the state is saved after every input, so a restart continues.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, TextIO

from bot.core import conversation
from bot.core.render import text

CONVERSATION_KEY = "terminal:local"
QUIT_COMMANDS = ("/quit", "/exit")


class ConversationStore(Protocol):
    """The part of the storage the terminal chat needs."""

    def load_conversation(self, key: str) -> dict | None: ...
    def save_conversation(self, key: str, state: dict) -> None: ...


def show(turn: conversation.Turn, stdout: TextIO) -> list[str]:
    """Print a turn's replies with numbered buttons; return the button data by number."""
    pressed: list[str] = []
    for reply in turn.replies:
        stdout.write(reply.text + "\n")
        for row in reply.buttons:
            for button in row:
                pressed.append(button.data)
                stdout.write(f"  [{len(pressed)}] {button.label}\n")
        stdout.write("\n")
    stdout.flush()
    return pressed


def step(state: dict, line: str, buttons: list[str], as_of: date,
         services: Any = None) -> conversation.Turn:
    """One input: a number presses a button, anything else is typed text."""
    choice = line.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(buttons):
        return conversation.handle_button(state, buttons[int(choice) - 1], as_of=as_of, services=services)
    return conversation.handle_text(state, line, as_of=as_of, services=services)


def main(settings: Any = None, stdin: TextIO | None = None, stdout: TextIO | None = None,
         store: ConversationStore | None = None, today: Callable[[], date] | None = None,
         services: Any = None) -> int:
    """Run the chat until end of input or ``/quit``; exit status 0."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if today is None:
        from bot.core.clock import today as clock_today

        today = clock_today
    saved = store.load_conversation(CONVERSATION_KEY) if store else None
    if saved and saved.get("phase") != "welcome":
        turn = conversation.resume(saved, as_of=today(), services=services)
    else:
        turn = conversation.start(saved, as_of=today())
    buttons = show(turn, stdout)
    state = turn.state
    interactive = stdin.isatty()
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in QUIT_COMMANDS:
            stdout.write(text("terminal.bye") + "\n")
            return 0
        if not line.strip():
            continue
        turn = step(state, line.rstrip("\n"), buttons, today(), services)
        state = turn.state
        if store:
            store.save_conversation(CONVERSATION_KEY, state)
        buttons = show(turn, stdout)
        if any(event.get("type") == "reminders_accepted" for event in turn.events):
            stdout.write(text("terminal.no_reminders") + "\n\n")
