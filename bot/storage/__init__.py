"""Storage: the :class:`Storage` protocol and its SQL implementation."""
from bot.storage.base import Reminder, Storage, Subscription, UserRecord

__all__ = ["Reminder", "Storage", "Subscription", "UserRecord", "open_storage"]


def open_storage(database_url: str) -> Storage:
    """Open the SQL storage at ``database_url``, its schema migrated to head (Alembic)."""
    from bot.storage.sql import SqlStorage

    return SqlStorage(database_url)
