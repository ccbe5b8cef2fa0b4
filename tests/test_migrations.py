"""Migrations: upgrade an empty database to head, twice; the result matches the models (no drift)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pgschema import backend_url
from sqlalchemy import Column, Integer, MetaData, Table, inspect

from bot.cli import main as cli_main
from bot.storage.migrate import (
    alembic_config,
    all_metadata,
    current_revision,
    head_revision,
    upgrade,
)
from bot.storage.sql import make_engine

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database: a SQLite file, then a fresh PostgreSQL schema."""
    with backend_url(request.param, "m", tmp_path / "empty.sqlite3") as url:
        yield url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def drift(engine, metadata=None) -> list:
    """What autogenerate would put in a new migration (empty: the models match the database)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata or all_metadata())


def model_tables() -> set[str]:
    return {name for metadata in all_metadata() for name in metadata.tables}


def test_upgrade_creates_every_table_and_matches_the_models(engine) -> None:
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert model_tables() <= tables
    assert {"users", "staff_applicants", "broadcast_outbox", "user_locks"} <= tables
    assert drift(engine) == []


def test_upgrade_twice_changes_nothing(engine) -> None:
    upgrade(engine)
    before = {t: inspect(engine).get_columns(t) for t in inspect(engine).get_table_names()}
    assert upgrade(engine) == head_revision()
    command.upgrade(alembic_config(engine), "head")  # the slow path too, not only the shortcut
    after = {t: inspect(engine).get_columns(t) for t in inspect(engine).get_table_names()}
    # PostgreSQL lists tables in no fixed order: compare table by table.
    assert {t: str(c) for t, c in after.items()} == {t: str(c) for t, c in before.items()}
    assert drift(engine) == []


def test_a_model_change_without_a_migration_is_drift(engine) -> None:
    upgrade(engine)
    changed = MetaData()
    for metadata in all_metadata():
        for table in metadata.tables.values():
            table.to_metadata(changed)
    Table("users", changed, Column("new_column", Integer), extend_existing=True)
    Table("new_table", changed, Column("id", Integer, primary_key=True))
    found = {(d[0], getattr(d[-1], "name", d[2] if len(d) > 2 else None)) for d in drift(engine, changed)}
    assert found == {("add_table", "new_table"), ("add_column", "new_column")}


def test_downgrade_to_base_and_back(engine) -> None:
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert not model_tables() & set(inspect(engine).get_table_names())
    assert upgrade(engine) == head_revision() and drift(engine) == []


def test_a_database_made_by_create_all_is_adopted(engine) -> None:
    """Databases created before migrations existed get the missing tables and the revision."""
    storage_only = [t for t in all_metadata()[0].sorted_tables if not t.name.startswith("staff_")]
    all_metadata()[0].create_all(engine, tables=storage_only)
    assert upgrade(engine) == head_revision()
    assert model_tables() <= set(inspect(engine).get_table_names()) and drift(engine) == []


def test_cli_db_upgrade_and_current(database_url, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    head = head_revision()
    assert cli_main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip() == f"database at none (head {head})"
    assert cli_main(["db", "upgrade"]) == 0 and cli_main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"database at {head} (head {head})"] * 2
    assert cli_main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip() == f"database at {head} (head {head})"
