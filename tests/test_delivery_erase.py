"""/delete leaves nothing readable on disk (SQLite), and the data is the owner's only.

The user's name, deep-link payload and answers are looked for in the raw bytes of the
database file and its write-ahead log while the bot is still running.
"""
from __future__ import annotations

import stat
from pathlib import Path

from fakebotapi.harness import OfflineBot

from bot.storage import open_storage
from bot.storage.engine import private_dir

USER = 7777
NAME, PAYLOAD, ANSWER = "秘密名字", "secretpayload42", "马边"


def _on_disk(database: Path) -> bytes:
    """Every byte SQLite keeps for the database: the file, its WAL and shared memory."""
    return b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_delete_leaves_no_name_payload_or_answer_in_the_file_or_the_wal(tmp_path):
    database = tmp_path / "data" / "bot.sqlite3"
    storage = open_storage(f"sqlite:///{database}")
    try:
        async with OfflineBot(storage) as bot:
            bot.api.user(USER, first_name=NAME)
            await bot.send(USER, f"/start {PAYLOAD}")
            start = next(b["callback_data"] for b in bot.last_buttons(USER) if "开始" in b["text"])
            await bot.tap(USER, start)
            await bot.send(USER, ANSWER)
            assert NAME.encode() in _on_disk(database)  # stored while the user is known
            await bot.send(USER, "/delete")
            yes = next(b["callback_data"] for b in bot.last_buttons(USER) if "delete:yes" in
                       b["callback_data"])
            await bot.tap(USER, yes)
            left = _on_disk(database)  # the bot still runs, its connections open
    finally:
        storage.close()
    for secret in (NAME, PAYLOAD, "马边彝族自治县"):
        assert secret.encode() not in left, secret


def test_the_database_file_is_private_and_its_new_directory_too(tmp_path):
    database = tmp_path / "fresh" / "bot.sqlite3"
    storage = open_storage(f"sqlite:///{database}")
    try:
        storage.save_conversation("tg:1", {"pending": "x"})  # the WAL exists now
        assert _mode(database.parent) == 0o700
        files = list(database.parent.glob("bot.sqlite3*"))
        assert len(files) >= 2 and all(_mode(path) == 0o600 for path in files), files
    finally:
        storage.close()


def test_the_data_directory_is_tightened_at_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    private_dir(data)
    assert _mode(data) == 0o700
