"""SQLAlchemy engines: SQLite gets a private file (0600 in a 0700 directory), WAL, secure_delete."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import create_engine

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split("///", 1)[-1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def private_dir(path: Path) -> None:
    """Create the bot's data directory readable by the owner only (0700), or tighten it."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)


def private_file(path: Path) -> None:
    """Create ``path`` (and its missing directories) readable by the owner only; tighten it if it exists.

    SQLite creates its -wal and -shm files with the database file's permissions.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE))
    for extra in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if extra.exists():
            extra.chmod(PRIVATE_FILE)


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; SQLite gets its private file, WAL, a busy timeout and secure_delete."""
    if not database_url.startswith("sqlite"):
        return create_engine(database_url, pool_pre_ping=True)
    path = sqlite_path(database_url)
    if path is not None:
        private_file(path)
    engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        """WAL: readers never wait for the writer; NORMAL sync is safe with WAL.

        secure_delete: deleted rows are overwritten with zeros, not left in free pages.
        """
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return engine
