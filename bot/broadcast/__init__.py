"""Job-fair broadcasts: an outbox with one row per recipient and a paced, crash-safe sender.

Wiring (the composition root does this)::

    outbox = open_outbox(settings.database_url)    # migrated to head, like open_storage
    sender = Sender(outbox, transport, compose=render_fair,  # transport: a Transport (adapter)
                    config=SenderConfig(rate=30), on_blocked=storage.unsubscribe)
    fair = outbox.create_fair(title=…, starts_at=…, …, created_by=staff_id)
    outbox.enqueue(fair.id, [(s.user_id, chat_id) for s in subscribers])
    await sender.run()          # forever; or run(until_idle=True)

``outbox.progress(fair_id)`` / ``delivery_report(fair_id)`` feed the staff's messages;
``outbox.resend(fair_id, user_ids)`` retries uncertain/failed rows on a staff decision only.
The rate is per sender process: with N processes on one PostgreSQL outbox give each rate/N.
SQLite: one sender process per database file.
"""
from bot.broadcast.limits import SenderConfig, SendStats
from bot.broadcast.outbox import Claim, Fair, Outbox, OutboxMessage, open_outbox
from bot.broadcast.outcomes import Blocked, Rejected, RetryLater, SendOutcome, Transient
from bot.broadcast.pacing import Clock, FakeClock, SystemClock, TokenBucket
from bot.broadcast.sender import Sender
from bot.broadcast.transport import Transport

__all__ = [
    "Blocked", "Claim", "Clock", "Fair", "FakeClock", "Outbox", "OutboxMessage", "Rejected",
    "RetryLater", "SendOutcome", "SendStats", "Sender", "SenderConfig", "SystemClock",
    "TokenBucket", "Transient", "Transport", "open_outbox",
]
