"""`python -m bot run` as a child process against the fake Bot API (polling, SQLite by default)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from fakebotapi import TOKEN

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30.0


class BotProcess:
    """The bot started with the environment a deployment would give it."""

    def __init__(self, server, tmp_path: Path, base_url: str | None = None) -> None:
        self.server, self.tmp_path, self.process = server, tmp_path, None
        self.env = {**os.environ, "BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_BASE_URL": base_url or server.base_url,
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
                    "DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
        self.env.pop("WEBHOOK_URL", None)

    def spawn(self) -> None:
        """Start the bot without waiting for it."""
        log = open(self.tmp_path / "bot.log", "ab")  # noqa: SIM115 - the process owns it
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        """Start the bot and wait until it has registered its command menu."""
        menus = self.server.api.call_count("setMyCommands")
        self.spawn()
        started = self.server.api.wait_for_calls(
            lambda: self.server.api.call_count("setMyCommands") > menus, WAIT)
        assert started, self.log()

    def kill(self) -> None:
        """kill -9, no chance to clean up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM and wait; then kill if it hangs."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log(self) -> str:
        """The bot's output, for failure messages."""
        return (self.tmp_path / "bot.log").read_text(encoding="utf-8", errors="replace")[-3000:]
