"""A flood of random text, stickers, commands and forged buttons: no failure, a reply to each."""
from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from fakebotapi.harness import OfflineBot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core.render import text
from bot.storage import open_storage

USER = 31337
COMMANDS = ["/start", "/start poster", "/back", "/restart", "/review", "/help", "/subscribe",
            "/unsubscribe", "/me", "/delete", "/foo", "/start@bangfutong_bot"]
PREFIXES = ["", "go", "a:", "a:origin_county:", "a:person_category:", "skip:", "edit:", "why:",
            "remind", "back", "restart", "review", "acct:", "acct:delete:"]
ANSWERS = ["马边", "脱贫户", "浙江绍兴柯桥", "2024年2月", "30个月", "是", "不是", "不清楚", "嗯", "开始"]

typed = st.one_of(st.sampled_from(ANSWERS), st.text(min_size=1, max_size=120)).filter(str.strip)
forged = st.builds(lambda prefix, rest: (prefix + rest)[:64], st.sampled_from(PREFIXES),
                   st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40)
                   ).filter(bool)
actions = st.one_of(
    st.tuples(st.just("text"), typed),
    st.tuples(st.just("text"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("tap"), forged),
    st.tuples(st.just("sticker"), st.none()),
)


async def _flood(steps: list[tuple[str, str | None]], database: Path) -> None:
    storage = open_storage(f"sqlite:///{database}")
    try:
        async with OfflineBot(storage, as_of=date(2026, 11, 22)) as bot:
            for kind, value in steps:
                if kind == "text":
                    replies = await bot.send(USER, value)
                elif kind == "tap":
                    replies = await bot.tap(USER, value)
                else:
                    replies = await bot.process(bot.api.push_sticker(USER))
                assert replies, f"no reply to {kind} {value!r}"
                assert text("telegram.error") not in replies, f"failure on {kind} {value!r}"
            rejected = [(c.method, c.params) for c in bot.api.calls if c.status != 200]
            assert rejected == []
            taps = sum(kind == "tap" for kind, _ in steps)
            assert bot.api.call_count("answerCallbackQuery") == taps
    finally:
        storage.close()


REACH_FIRST_ARRIVAL = [("text", m) for m in ("/start", "开始", "马边", "脱贫户", "浙江绍兴柯桥", "2024年2月")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=20))
@example(REACH_FIRST_ARRIVAL + [("text", "hello"), ("sticker", None), ("tap", "a:first_arrival:x")])
def test_flood_of_random_input_gets_a_reply_each(steps):
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(_flood(steps, Path(directory) / "bot.sqlite3"))
