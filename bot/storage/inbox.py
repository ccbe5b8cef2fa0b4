"""The update inbox: record an update before handling it, mark it done after (raw SQL, hot path).

Every statement that changes a row being handled is fenced: a claim needs the user's lease
(``user_locks``), and "sent"/"done" need the claim (``claimed_by``). A process that lost its
lease (it stalled past the lease and another took the user over) changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

RECEIVED, DONE = "received", "done"

RECORD = ("INSERT INTO inbox (update_id, user_key, payload, state, sent, received_at) "
          "VALUES (?, ?, ?, 'received', 0, ?) ON CONFLICT (update_id) DO NOTHING")
CLAIM_NEXT = ("UPDATE inbox SET claimed_by = ?, claimed_until = ? WHERE update_id = "
              "(SELECT MIN(update_id) FROM inbox WHERE user_key = ? AND state <> 'done') "
              "AND EXISTS (SELECT 1 FROM user_locks WHERE user_id = ? AND holder = ? AND expires_at > ?) "
              "RETURNING update_id, payload, sent")
SENT = "UPDATE inbox SET sent = ? WHERE update_id = ? AND claimed_by = ? AND state <> 'done'"
FINISH = ("UPDATE inbox SET state = 'done', done_at = ?, claimed_until = NULL "
          "WHERE update_id = ? AND claimed_by = ? AND state <> 'done'")
SAVE_STATE = ("INSERT INTO conversations (key, state, updated_at) VALUES (?, ?, ?) "
              "ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at")
STATE = "SELECT state FROM inbox WHERE update_id = ?"
PENDING_USERS = "SELECT DISTINCT user_key FROM inbox WHERE state <> 'done'"
PRUNE = "DELETE FROM inbox WHERE state = 'done' AND done_at < ?"
FORGET_DONE = "DELETE FROM inbox WHERE user_key = ? AND (state = 'done' OR claimed_by IS NOT NULL)"


@dataclass(frozen=True)
class InboxItem:
    """The oldest unfinished update of one user: its id, the update as JSON, messages already sent."""

    update_id: int
    payload: str
    sent: int


def stored_now() -> datetime:
    """Now as the raw SQL stores it (naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


Run = Callable[..., Any]  # SqlStorage._raw: (sql, params, fetch=False) -> rows | rowcount
Batch = Callable[..., list[int]]  # (statements, fenced=False) in one transaction -> rowcounts


class Inbox:
    """The inbox operations over one database (``run``: one statement; ``batch``: a transaction)."""

    def __init__(self, run: Run, batch: Batch) -> None:
        """Keep the two ways to reach the database."""
        self.run, self.batch = run, batch

    def record(self, update_id: int, user_key: int, payload: str) -> bool:
        """Record an update as received; False when it was recorded before (a redelivery)."""
        counts = self.batch([(RECORD, (update_id, user_key, payload, stored_now()))])
        return counts[0] == 1

    def claim_next(self, user_key: int, holder: str, lease: timedelta) -> InboxItem | None:
        """Claim the user's unfinished update with the lowest update_id for ``holder``.

        None when the user has none, or when ``holder`` no longer holds the user's lease.
        """
        now = stored_now()
        rows = self.run(CLAIM_NEXT, (holder, now + lease, user_key, user_key, holder, now), fetch=True)
        return InboxItem(int(rows[0][0]), rows[0][1], int(rows[0][2])) if rows else None

    def mark_sent(self, update_id: int, holder: str, sent: int) -> bool:
        """Record that ``sent`` messages of the update are out (so a replay skips them)."""
        return self.batch([(SENT, (sent, update_id, holder))])[0] == 1

    def finish(self, update_id: int, holder: str, states: dict[str, str] | None = None) -> bool:
        """Mark the update done and store the conversation states, in one transaction (fenced)."""
        now = stored_now()
        statements: list[tuple[str, tuple]] = [(FINISH, (now, update_id, holder))]
        statements += [(SAVE_STATE, (key, state, now)) for key, state in (states or {}).items()]
        return self.batch(statements, fenced=True)[0] == 1

    def state(self, update_id: int) -> str | None:
        """``received``, ``done``, or None when the update is unknown (never recorded, or erased)."""
        rows = self.run(STATE, (update_id,), fetch=True)
        return str(rows[0][0]) if rows else None

    def pending_users(self) -> list[int]:
        """Users with an unfinished update (after a crash, or whose holder died)."""
        return [int(row[0]) for row in self.run(PENDING_USERS, (), fetch=True) or []]

    def prune(self, before: datetime) -> int:
        """Forget updates done before ``before`` (Telegram redelivers for a day at most)."""
        naive = before.astimezone(UTC).replace(tzinfo=None) if before.tzinfo else before
        return self.batch([(PRUNE, (naive,))])[0]

    def forget(self, user_key: int) -> None:
        """Erase the user's finished updates and the one being handled (/delete)."""
        self.batch([(FORGET_DONE, (user_key,))])
