"""A fresh PostgreSQL schema per test (or per run), so runs never see each other's rows."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote


@contextmanager
def postgres_schema_url(prefix: str, url: str | None = None) -> Iterator[str]:
    """A URL whose search_path is a new schema ``<prefix>_<random>``, dropped afterwards.

    Without ``url`` the server is ``TEST_POSTGRES_URL`` (set by ``./dev test``); the test is
    skipped when that is unset, and fails (the CREATE raises) when the server is down.
    """
    import pytest
    import sqlalchemy

    url = url or os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL not set (./dev test sets it)")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def backend_url(backend: str, prefix: str, sqlite_file: Path) -> Iterator[str]:
    """An empty database for a parametrised backend: a fresh PostgreSQL schema named after
    ``prefix``, or a SQLite file at ``sqlite_file``."""
    if backend == "postgresql":
        with postgres_schema_url(prefix) as url:
            yield url
    else:
        yield f"sqlite:///{sqlite_file}"


_head_template = None  # an in-memory SQLite database migrated to head, made once per run


def memory_engine_at_head():
    """A fresh in-memory SQLite engine whose schema the migrations made (as in production).

    The migrations run once per test run into a template; each engine gets a copy of it
    through SQLite's backup API (under a millisecond, where migrating takes about 70 ms).
    """
    import sqlite3

    import sqlalchemy
    from sqlalchemy.pool import StaticPool

    global _head_template
    if _head_template is None:
        from bot.storage.migrate import upgrade

        template = sqlite3.connect(":memory:", check_same_thread=False)
        migrating = sqlalchemy.create_engine("sqlite://", poolclass=StaticPool,
                                             creator=lambda: template)
        upgrade(migrating)
        _head_template = template
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    _head_template.backup(copy)
    return sqlalchemy.create_engine("sqlite://", poolclass=StaticPool, creator=lambda: copy)
