"""Which senders are alive: on PostgreSQL each holds an advisory lock for its lifetime."""
from __future__ import annotations

import logging
import secrets

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
LOCK_CLASS = 0x4246  # "BF": the advisory-lock namespace of broadcast workers


class WorkerLocks:
    """Worker ids and their liveness.

    PostgreSQL: a worker holds ``pg_advisory_lock(LOCK_CLASS, id)`` on its own connection; the
    server drops it when the process dies, so a peer can tell a dead sender from a busy one.
    SQLite: one sender process per database file, so every other worker id is a dead one.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self.held: dict[int, Connection | None] = {}

    def register(self) -> int:
        """A fresh worker id, marked alive until :meth:`release`."""
        while True:
            worker = secrets.randbelow(2**31 - 2) + 1
            if not self.is_postgres:
                self.held[worker] = None
                return worker
            connection = self.engine.connect()
            query = text("SELECT pg_try_advisory_lock(:c, :w)")
            got: bool = connection.execute(query, {"c": LOCK_CLASS, "w": worker}).scalar_one()
            connection.commit()
            if got:
                self.held[worker] = connection
                return worker
            connection.close()

    def release(self, worker: int) -> None:
        """Mark the worker gone: unlock, then close (a pooled connection would keep the lock)."""
        connection = self.held.pop(worker, None)
        if connection is None:
            return
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:c, :w)"),
                               {"c": LOCK_CLASS, "w": worker})
            connection.commit()
        except SQLAlchemyError:  # a broken connection holds no lock any more
            log.debug("worker %s: unlock on a broken connection", worker)
        connection.invalidate()  # never back to the pool with a lock on it
        connection.close()

    def close(self) -> None:
        """Release every worker of this process."""
        for worker in list(self.held):
            self.release(worker)

    def is_dead(self, db: Connection, worker: int, me: int) -> bool:
        """True when ``worker`` is gone; on PostgreSQL, lock it for the rest of ``db``'s transaction."""
        if worker == me or worker in self.held:
            return False
        if not self.is_postgres:
            return True
        query = text("SELECT pg_try_advisory_xact_lock(:c, :w)")
        return bool(db.execute(query, {"c": LOCK_CLASS, "w": worker}).scalar_one())
