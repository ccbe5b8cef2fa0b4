"""The words of a fair: the message every recipient gets, the staff's progress and report."""
from __future__ import annotations

from datetime import UTC, datetime

from bot.broadcast.fair_when import CHINA
from bot.broadcast.tables import Fair
from bot.core.render import render, text


def local_when(moment: datetime) -> str:
    """A stored UTC time as the workers read it: 2026年12月5日 09:30 (China time)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)
    return text("fairs.when", day=local.date(), time=local.strftime("%H:%M"))


def compose(fair: Fair) -> str:
    """The message every recipient gets (the preview shows exactly this)."""
    return render("fair_message", title=fair.title, starts_at=local_when(fair.starts_at),
                  place=fair.place_or_link, organiser=fair.organiser, details=fair.details)


def progress_text(fair: Fair, counts: dict[str, int]) -> str:
    """The progress message: sent / failed / blocked / uncertain / left."""
    return text("fairs.progress", title=fair.title, **counts)


def report_text(fair: Fair, counts: dict[str, int]) -> str:
    """The final delivery report."""
    return render("fair_report", title=fair.title, **counts)
