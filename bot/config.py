"""Settings from environment variables, read in this one place."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The directory holding the deployed rules/ and knowledge/ (their content hash is the rules
# version): the project root unless POLICY_DIR names another (a test's copy, a staged set).
POLICY_ROOT = Path(os.environ.get("POLICY_DIR") or ROOT).resolve()


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs; see README "Settings"."""

    bot_token: str | None
    database_url: str
    telegram_api_base_url: str | None
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    data_dir: Path = ROOT / "data"
    timezone: str = "Asia/Shanghai"
    broadcast_rate: float = 30.0
    policy_dir: Path = POLICY_ROOT


def _ids(raw: str) -> frozenset[int]:
    return frozenset(int(part) for part in raw.replace(";", ",").split(",") if part.strip())


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("DATA_DIR") or ROOT / "data")
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'bot.sqlite3'}"
    return Settings(
        bot_token=env.get("BOT_TOKEN") or None,
        database_url=database_url,
        telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
        admin_ids=_ids(env.get("ADMIN_IDS", "")),
        webhook_url=env.get("WEBHOOK_URL") or None,
        webhook_secret=env.get("WEBHOOK_SECRET") or None,
        webhook_listen=env.get("WEBHOOK_LISTEN", "127.0.0.1"),
        webhook_port=int(env.get("WEBHOOK_PORT", "8443")),
        data_dir=data_dir,
        timezone=env.get("BOT_TIMEZONE", "Asia/Shanghai"),
        broadcast_rate=float(env.get("BROADCAST_RATE", "30")),
        policy_dir=Path(env.get("POLICY_DIR") or ROOT).resolve(),
    )
