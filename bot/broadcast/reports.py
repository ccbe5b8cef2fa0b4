"""Progress counts and the delivery report of a fair (part of :class:`Outbox`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select

from bot.broadcast.tables import OUTBOX, Fair


class ReportsMixin:
    """What the staff see while and after a fair is sent."""

    engine: Engine
    get_fair: Callable[[int], Fair | None]  # from Outbox

    def progress(self, fair_id: int) -> dict[str, int]:
        """Counts: sent, failed, blocked, uncertain, left (pending + sending) and total."""
        query = (select(OUTBOX.c.state, func.count()).where(OUTBOX.c.fair_id == fair_id)
                 .group_by(OUTBOX.c.state))
        with self.engine.connect() as db:
            counts: dict[str, int] = dict(db.execute(query).all())
        result = {state: counts.get(state, 0) for state in ("sent", "failed", "blocked", "uncertain")}
        result["left"] = counts.get("pending", 0) + counts.get("sending", 0)
        result["total"] = sum(counts.values())
        return result

    def delivery_report(self, fair_id: int) -> dict[str, Any]:
        """Progress plus who was not reached and why (uncertain rows are listed, never resent)."""
        fair = self.get_fair(fair_id)
        query = (select(OUTBOX.c.user_id, OUTBOX.c.state, OUTBOX.c.last_error)
                 .where(OUTBOX.c.fair_id == fair_id,
                        OUTBOX.c.state.in_(("failed", "blocked", "uncertain")))
                 .order_by(OUTBOX.c.user_id))
        with self.engine.connect() as db:
            rows = db.execute(query).all()
        return {
            "fair_id": fair_id,
            "title": fair.title if fair else None,
            "status": fair.status if fair else None,
            "progress": self.progress(fair_id),
            "uncertain": [r.user_id for r in rows if r.state == "uncertain"],
            "blocked": [r.user_id for r in rows if r.state == "blocked"],
            "failed": [{"user_id": r.user_id, "error": r.last_error}
                       for r in rows if r.state == "failed"],
        }
