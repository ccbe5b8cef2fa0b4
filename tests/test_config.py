"""Settings come from the environment and every one is documented in the README."""
import re
from pathlib import Path

from bot.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_use_sqlite_in_data_dir(tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    assert settings.bot_token is None
    assert settings.database_url == f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    assert settings.webhook_url is None


def test_values_are_read_from_the_environment():
    settings = load_settings(
        {
            "BOT_TOKEN": "123:abc",
            "DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/db",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9999",
            "ADMIN_IDS": "1, 2;3",
            "WEBHOOK_URL": "https://example.org/hook",
            "WEBHOOK_SECRET": "s",
            "WEBHOOK_PORT": "9000",
        }
    )
    assert settings.bot_token == "123:abc"
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.telegram_api_base_url == "http://127.0.0.1:9999"
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.webhook_port == 9000


def test_every_environment_variable_is_documented():
    source = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env\.get\("([A-Z_]+)"', source))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert names, "config.py reads no variables?"
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert missing == []


def test_every_telegram_command_is_documented():
    from bot.adapters.telegram.app import COMMANDS
    from bot.flows.start import ROLE_COMMANDS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(COMMANDS) | {name for names in ROLE_COMMANDS.values() for name in names}
    assert sorted(n for n in names if f"`/{n}" not in readme) == []
