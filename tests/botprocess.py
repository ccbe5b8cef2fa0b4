"""`python -m bot run` as a child process against the fake Bot API: polling (SQLite by default),
or serving a webhook on its own port (``WebhookBot``)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from fakebotapi import TOKEN

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30.0
SECRET = "two-processes"  # the webhook's secret token


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


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebhookBot:
    """One bot process serving a webhook on its own port (``command``: `python -m bot run`)."""

    def __init__(self, server, database_url: str, log_path: Path,
                 command: Sequence[str] = ("-m", "bot", "run")) -> None:
        self.port, self.log_path = free_port(), log_path
        self.url = f"http://127.0.0.1:{self.port}/hook"
        env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
               "DATABASE_URL": database_url, "DATA_DIR": str(log_path.parent),
               "WEBHOOK_URL": self.url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1",
               "WEBHOOK_PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, *command], cwd=ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT)

    def post(self, update: dict) -> int:
        """Deliver an update as Telegram does; retry until the server listens."""
        request = urllib.request.Request(self.url, data=json.dumps(update).encode(), headers={
            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})
        for _ in range(300):
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
            except urllib.error.URLError:
                time.sleep(0.05)
        raise AssertionError(f"webhook never listened: {self.log()}")

    def log(self) -> str:
        """The process's output, for failure messages."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def stop(self) -> None:
        """SIGTERM and wait; then kill if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
