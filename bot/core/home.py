"""The worker's own conversation (the interview) as the router's home flow."""
from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import Any

from bot.core import screens
from bot.core.flow import Env, Input
from bot.core.render import text
from bot.core.replies import Reply, Turn

__all__ = ["InterviewHome", "current_screen"]


def current_screen(conversation: Any, state: dict[str, Any] | None, as_of: date) -> list[Reply]:
    """The replies that show the interview's current screen again (after the results: the
    修改回答 / 重新开始 hint rather than the whole result; none for a core without resume)."""
    if state and state.get("phase") == "done":
        return list(screens.current(state).replies)
    resume = getattr(conversation, "resume", None)
    return list(resume(state, as_of=as_of).replies) if resume else []


class InterviewHome:
    """Pass inputs to the conversation core (``bot.core.conversation`` or a test double)."""

    def __init__(self, conversation: ModuleType | Any | None = None) -> None:
        if conversation is None:
            from bot.core import conversation as real

            conversation = real
        self.conversation = conversation

    def handle(self, env: Env, state: dict[str, Any] | None, inp: Input) -> Turn:
        """One input of the interview."""
        core = self.conversation
        if inp.kind == "command" and inp.command == "/start":
            payload = inp.args[0][:64] if inp.args else None
            turn: Turn = core.start(state, as_of=env.as_of, payload=payload)
            return turn
        if inp.kind == "resume":
            resume = getattr(core, "resume", None)
            if resume is None:
                return Turn(dict(state or {}), [], [])
            turn = resume(state, as_of=env.as_of)
            return turn
        if inp.kind in ("command", "text"):
            typed = inp.text.split(maxsplit=1)[0] if inp.kind == "command" else inp.text
            turn = core.handle_text(state, typed, as_of=env.as_of)
            return turn
        if inp.kind == "button":
            if not inp.text:
                return Turn(dict(state or {}), [Reply(text("telegram.stale_button"))], [])
            turn = core.handle_button(state, inp.text, as_of=env.as_of)
            return turn
        # a photo, a sticker, a file: only text is read; the current screen again
        replies = [Reply(text("telegram.not_text")), *current_screen(core, state, env.as_of)]
        return Turn(dict(state or {}), replies, [])

    def is_question(self, message: str) -> bool:
        """The conversation's own test of a question (啥, 哪, 几, a final 不/没/么…)."""
        check = getattr(self.conversation, "is_question", None)
        return bool(check(message)) if check else message.rstrip().endswith(("?", "？"))

    def answer(self, env: Env, state: dict[str, Any] | None, message: str) -> list[Reply]:
        """The documents' answer to a free question, the interview left as it is."""
        free = getattr(self.conversation, "free_answer", None)
        if free is None:
            return [Reply(text("ask.not_covered"))]
        return list(free(state, message, as_of=env.as_of))
