"""Shared fixtures: storage backends (SQLite file, real PostgreSQL) and the fake Bot API."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from bot.storage import Storage, open_storage

STORAGE_BACKENDS = ["sqlite", "postgresql"]


def _postgres_storage() -> Iterator[Storage]:
    """A storage in a fresh PostgreSQL schema, dropped afterwards (fails when unreachable)."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL not set (./dev test sets it)")
    import sqlalchemy

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(url)
    with admin.begin() as connection:  # raises, so the test fails, when the server is down
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    storage = open_storage(f"{url}{separator}options={quote(f'-csearch_path={schema}')}")
    try:
        yield storage
    finally:
        storage.close()
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=STORAGE_BACKENDS)
def storage(request, tmp_path) -> Iterator[Storage]:
    """Every Storage implementation in turn: SQLite in a temp file, then PostgreSQL."""
    if request.param == "postgresql":
        yield from _postgres_storage()
        return
    sqlite = open_storage(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    yield sqlite
    sqlite.close()


@pytest.fixture
def sqlite_storage(tmp_path) -> Iterator[Storage]:
    """A SQLite storage in a temp file (for adapter tests)."""
    store = open_storage(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    yield store
    store.close()


@pytest.fixture
def fake_api():
    """A fresh fake Bot API (no HTTP; see ``fake_server`` for the served one)."""
    from fakebotapi import FakeBotApi

    return FakeBotApi()


@pytest.fixture
def fake_server(fake_api):
    """The fake Bot API served on a free 127.0.0.1 port."""
    from fakebotapi import FakeBotApiServer

    server = FakeBotApiServer(fake_api).start()
    yield server
    server.stop()
