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
