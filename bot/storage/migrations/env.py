"""Alembic environment: the engine comes from ``bot.storage.migrate`` (no alembic.ini, no URL here)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import text

from bot.storage.migrate import all_metadata

MIGRATION_LOCK = 7_340_001  # pg_advisory_xact_lock key: two processes starting at once migrate one by one


def run_migrations_online() -> None:
    """Run the migrations on the engine the caller passed in ``config.attributes``."""
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=all_metadata(),
                          render_as_batch=connection.dialect.name == "sqlite",
                          compare_type=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; pass an engine")
run_migrations_online()
