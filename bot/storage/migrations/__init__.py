"""Alembic migrations of every table (storage, staff, broadcast); see ``bot.storage.migrate``."""
