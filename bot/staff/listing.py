"""One page of the applicant list, optionally only names containing a search text."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.render import text
from bot.staff.access import visible_rows
from bot.staff.applicants import plain
from bot.staff.context import StaffContext
from bot.staff.overview import ApplicantSummary, summaries_text, summarise
from bot.staff.roles import ADMIN, COORDINATOR, STAFF, require

PER_PAGE = 8  # 8 applicants x 4 buttons + navigation stays far under Telegram's 100 buttons
MAX_QUERY = 10


@dataclass(frozen=True)
class ApplicantPage:
    """Applicants ``page`` (0-based) of ``pages``; ``total`` matched ``query`` ("" for all)."""

    summaries: list[ApplicantSummary]
    page: int
    pages: int
    total: int
    query: str = ""


def clean_query(query: str | None) -> str:
    """The search text as used: plain, at most ten characters (it travels in button data)."""
    return plain(query or "")[:MAX_QUERY]


def applicants_page(ctx: StaffContext, actor_id: int, as_of: date, page: int = 0,
                    query: str | None = None, per_page: int = PER_PAGE) -> ApplicantPage:
    """The applicants the actor may see whose name contains ``query``, one page of them assessed."""
    wanted = clean_query(query)
    with ctx.transaction() as session:
        grant = require(session, ctx, actor_id, COORDINATOR, STAFF, ADMIN, action="applicant.list")
        rows = [row for row in visible_rows(session, grant) if wanted in row.name]
        pages = max(1, -(-len(rows) // per_page))
        page = min(max(page, 0), pages - 1)
        shown = rows[page * per_page:(page + 1) * per_page]
        return ApplicantPage(summarise(ctx, session, shown, as_of), page, pages, len(rows), wanted)


def page_text(found: ApplicantPage) -> str:
    """The page's list, then where it stands when there is more than one page."""
    if not found.summaries and found.query:
        return text("staff.list.not_found", query=found.query)
    body = summaries_text(found.summaries)
    if found.query:
        body = text("staff.list.found", query=found.query, total=found.total) + "\n\n" + body
    if found.pages > 1:
        body += "\n\n" + text("staff.list.page", page=found.page + 1, pages=found.pages,
                              total=found.total)
    return body
