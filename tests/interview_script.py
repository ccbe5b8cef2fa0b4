"""One worker's interview as a script, and what a bot that is never interrupted answers to it."""
from __future__ import annotations

from fakebotapi.harness import OfflineBot

from bot.core.clock import today
from bot.storage import open_storage

STEPS = [("send", "/start"), ("tap", "开始"), ("send", "马边"), ("tap", "脱贫户"),
         ("send", "浙江绍兴柯桥"), ("send", "2024年2月"), ("tap", "是，第一次来"),
         ("send", "30个月"), ("tap", "是"), ("tap", "没有证")]


async def reference(tmp_path) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """The inputs as (kind, text or callback data) and each input's replies, in-process."""
    storage = open_storage(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    inputs, replies = [], []
    async with OfflineBot(storage, as_of=today()) as bot:
        for kind, value in STEPS:
            if kind == "tap":
                value = next(b["callback_data"] for b in bot.last_buttons(1) if value in b["text"])
            inputs.append((kind, value))
            replies.append(await (bot.send(1, value) if kind == "send" else bot.tap(1, value)))
    storage.close()
    assert all(replies), replies  # every input of the script gets an answer
    return inputs, replies


def push(api, user: int, kind: str, value: str) -> dict:
    """The user types ``value`` or taps the button carrying it; the update."""
    return api.push_text(user, value) if kind == "send" else api.push_callback(user, value)
