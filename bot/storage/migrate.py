"""Schema migrations (Alembic, configured in code): upgrade to head, current revision, metadata."""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LEGACY_MARKER = "users"  # a database made by create_all before migrations has this table

logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # 7 lines at every start


def all_metadata() -> list[MetaData]:
    """The metadata of every table of the project: storage + staff, and broadcast (own registry)."""
    from sqlmodel import SQLModel

    import bot.staff.models
    import bot.storage.tables  # noqa: F401
    from bot.broadcast.tables import BroadcastModel

    return [SQLModel.metadata, BroadcastModel.metadata]


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config without alembic.ini; ``engine`` is handed to env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest revision in the migrations directory."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an unmigrated database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database to ``revision``; a pre-migration database is adopted, then upgraded."""
    if revision == "head" and current_revision(engine) == head_revision():
        return head_revision()  # the common case: one cheap query at every start
    config = alembic_config(engine)
    if current_revision(engine) is None and inspect(engine).has_table(LEGACY_MARKER):
        _adopt_legacy(engine, config)
    command.upgrade(config, revision)
    return current_revision(engine)


def _adopt_legacy(engine: Engine, config: Config) -> None:
    """A database created by create_all: add the missing tables and stamp the first revision.

    Such databases predate revision 0001 and hold its tables; create_all uses today's models,
    so once a later revision alters a table, adopt by stamping that table's 0001 shape instead.
    """
    for metadata in all_metadata():
        metadata.create_all(engine)
    command.stamp(config, "0001")
