"""Talk to a ChatApp as several people, the way a channel does (shared by the flow tests).

Each input goes through :meth:`ChatApp.handle` with the person's stored record; the record is
stored afterwards when it changed (as the Telegram adapter and the terminal do), and the buttons
of the person's last screen are kept so a step can tap one by its label.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.flow import Input
from bot.core.replies import Button, Turn
from bot.flows import ChatApp


@dataclass
class Chats:
    """People talking to one ChatApp."""

    app: ChatApp
    names: dict[int, str] = field(default_factory=dict)
    shown: dict[int, list[Button]] = field(default_factory=dict)
    tapped: dict[int, str] = field(default_factory=dict)

    def act(self, user_id: int, kind: str, value: str = "", *, file_name: str = "",
            file: bytes | None = None) -> Turn:
        """One input of ``kind`` (text, command, button, file, other) by the person."""
        before = self.app.load(user_id)
        inp = Input(kind, value, user_id, user_id, self.names.get(user_id, "测试"),
                    file_name=file_name, file=file)
        turn = self.app.handle(inp, before)
        for key, record in self.app.to_store(user_id, turn, before).items():
            self.app.deps.storage.save_conversation(key, record)
        buttons = [b for reply in turn.replies for row in reply.buttons for b in row]
        if buttons:
            self.shown[user_id] = buttons
        return turn

    def say(self, user_id: int, words: str) -> Turn:
        """Type: a command when it starts with /, else text."""
        return self.act(user_id, "command" if words.startswith("/") else "text", words)

    def tap(self, user_id: int, label: str, *, screen_of: int | None = None) -> Turn:
        """Tap the first button whose label contains ``label`` on the person's last screen
        (``screen_of``: a button someone else was shown, tapped by this person)."""
        screen = self.shown.get(user_id if screen_of is None else screen_of, [])
        found = [b for b in screen if label in b.label]
        assert found, f"no button {label!r} in {[b.label for b in screen]}"
        self.tapped[user_id] = found[0].data
        return self.act(user_id, "button", found[0].data)

    def retap(self, user_id: int) -> Turn:
        """The person's last tapped button once more."""
        return self.act(user_id, "button", self.tapped[user_id])


def said(turn: Turn) -> str:
    """Every reply's text, one after the other."""
    return "\n".join(reply.text for reply in turn.replies)


def labels(turn: Turn) -> list[str]:
    """Every button label of the turn."""
    return [b.label for reply in turn.replies for row in reply.buttons for b in row]


def files(turn: Turn) -> list[dict]:
    """The files the turn sends."""
    return [event for event in turn.events if event.get("type") == "send_file"]
