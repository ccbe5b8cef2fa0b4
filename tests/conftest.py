"""Shared fixtures: storage backends (SQLite file, real PostgreSQL) and the fake Bot API."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from pgschema import postgres_schema_url

from bot.storage import Storage, open_storage

# The staff fixtures (engine, ctx, world, …) for every test_staff_* file.
pytest_plugins = ["test_staff_support"]

STORAGE_BACKENDS = ["sqlite", "postgresql"]


def _postgres_storage() -> Iterator[Storage]:
    """A storage in a fresh PostgreSQL schema, dropped afterwards (fails when unreachable)."""
    with postgres_schema_url("t") as url:
        storage = open_storage(url)
        try:
            yield storage
        finally:
            storage.close()


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
