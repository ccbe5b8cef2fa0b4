"""``python -m bot chat [--as ROLE]``: every flow of the bot in a terminal, through the same router.

Buttons are shown as numbered options; typing the number presses it. Ctrl-D or ``/quit`` ends
the chat. With a ``store`` (the bot's database) the chat's record is saved after every input,
so a restart continues, and the staff flows work: ``--as admin`` is an admin; a coordinator or
staff member takes the role from an invite (``/start inv_…``, made by ``/invite`` as admin).
Files a flow sends (the ledger, a notice) are written to the current directory.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TextIO, cast

from bot.core.flow import FLOW_KEY, Input
from bot.core.render import text
from bot.core.replies import Turn
from bot.flows.app import file_content

QUIT_COMMANDS = ("/quit", "/exit")
# Terminal users have negative ids: Telegram user ids are positive, so they never collide.
LOCAL_USERS = {"worker": -1, "coordinator": -2, "staff": -3, "admin": -4}
PREFIX = "terminal:"
CONVERSATION_KEY = f"{PREFIX}{LOCAL_USERS['worker']}"
LOCAL_NAME = "终端用户"


class ConversationStore(Protocol):
    """The part of the storage the worker's chat needs (the whole Storage for staff flows)."""

    def load_conversation(self, key: str) -> dict | None: ...
    def save_conversation(self, key: str, state: dict) -> None: ...


class MemoryStore:
    """A chat record kept in memory (no database given)."""

    def __init__(self) -> None:
        self.saved: dict[str, dict] = {}

    def load_conversation(self, key: str) -> dict | None:
        return self.saved.get(key)

    def save_conversation(self, key: str, state: dict) -> None:
        self.saved[key] = state


def show(turn: Turn, stdout: TextIO) -> list[str]:
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


def typed_input(line: str, buttons: list[str], user_id: int) -> Input:
    """One line: a number presses a button, a /command is a command, anything else is text."""
    choice = line.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(buttons):
        return Input("button", buttons[int(choice) - 1], user_id, user_id, LOCAL_NAME)
    kind = "command" if choice.startswith("/") else "text"
    return Input(kind, line, user_id, user_id, LOCAL_NAME)


def _files(turn: Turn, stdout: TextIO, folder: Path) -> None:
    """Write the files a flow sends (a ledger, a notice) and say where they are."""
    for event in turn.events:
        if event.get("type") == "send_file":
            path = folder / Path(str(event["name"])).name
            path.write_bytes(file_content(event))
            stdout.write(text("terminal.file_saved", path=str(path)) + "\n\n")
        elif event.get("type") == "notify":
            stdout.write(text("terminal.notified", chat=event.get("chat_id"), text=event.get("text")) + "\n\n")
        elif event.get("type") == "reminders_accepted":
            stdout.write(text("terminal.no_reminders") + "\n\n")


def build_app(store: Any, today: Callable[[], date], conversation: Any = None,
              staff: Any = None) -> Any:
    """The ChatApp of the terminal: every flow with a database, the interview alone without one."""
    from bot.flows import ChatApp, Deps

    if store is None or staff is None:
        deps = Deps(cast(Any, store or MemoryStore()), None, today, conversation)
        return ChatApp(deps, flows=[], prefix=PREFIX, reachable=False)
    return ChatApp(Deps(store, staff, today, conversation), prefix=PREFIX, reachable=False)


def main(settings: Any = None, stdin: TextIO | None = None, stdout: TextIO | None = None,
         store: Any = None, today: Callable[[], date] | None = None,
         services: Any = None, *, role: str = "worker", staff: Any = None,
         folder: Path | None = None) -> int:
    """Run the chat until end of input or ``/quit``; exit status 0."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if today is None:
        from bot.core.clock import today as clock_today

        today = clock_today
    app = build_app(store, today, services, staff)
    user_id = LOCAL_USERS.get(role, LOCAL_USERS["worker"])
    record = app.load(user_id)
    if record and (record.get("phase") not in (None, "welcome") or FLOW_KEY in record):
        turn = app.handle(Input("resume", user_id=user_id, chat_id=user_id), record)
    else:
        turn = app.handle(Input("command", "/start", user_id=user_id, chat_id=user_id), record)
    if role != "worker" and app.role(user_id) != role:
        stdout.write(text("terminal.no_role", role=text(f"staff.role.{role}")) + "\n\n")
    buttons = show(turn, stdout)
    record = turn.state
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
        turn = app.handle(typed_input(line.rstrip("\n"), buttons, user_id), record)
        stored = app.to_store(user_id, turn, record)
        forgotten = any(event.get("type") == "forgotten" for event in turn.events)
        record = {} if forgotten else turn.state
        for key, value in stored.items():
            app.deps.storage.save_conversation(key, value)
        buttons = show(turn, stdout)
        _files(turn, stdout, folder or Path.cwd())
