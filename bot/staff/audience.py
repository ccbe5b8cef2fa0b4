"""Who a job fair reaches: workers subscribed for its counties and applicants linked there.

Channel-free (the /fair flow counts them for the preview; the Telegram delivery enqueues them).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select, union

from bot.staff.models import ApplicantRow, table_of
from bot.storage import Storage


def fair_recipients(storage: Storage, counties: Iterable[str]) -> list[tuple[int, int]]:
    """(user_id, chat_id) of the workers subscribed for these home counties, each once.

    With the SQL storage, applicants a coordinator registered there whose own Telegram account
    is linked (``staff_applicants.telegram_id``) are included too, still each once.
    """
    counties = list(counties)
    engine: Engine | None = getattr(storage, "engine", None)
    if engine is not None:  # the SQL storage: one query instead of one per subscriber
        return _sql_recipients(engine, counties)
    found: dict[int, int] = {}
    for county in counties:
        for sub in storage.subscriptions(kind="county", key=county):
            if sub.user_id not in found:
                user = storage.get_user(sub.user_id)
                found[sub.user_id] = user.chat_id if user else sub.user_id
    return sorted(found.items())


def _sql_recipients(engine: Engine, counties: list[str]) -> list[tuple[int, int]]:
    """The same as :func:`fair_recipients`, joined in the database (subscribers and linked applicants)."""
    from bot.storage.tables import SubscriptionRow, UserRow

    subs, users, people = table_of(SubscriptionRow), table_of(UserRow), table_of(ApplicantRow)
    wanted = union(
        select(subs.c.user_id.label("user_id"))
        .where(subs.c.kind == "county", subs.c.key.in_(counties)),
        select(people.c.telegram_id.label("user_id"))
        .where(people.c.telegram_id.is_not(None), people.c.county.in_(counties),
               people.c.fairs_opt_out.is_(False))).subquery()
    query = (select(wanted.c.user_id, users.c.chat_id)
             .join(users, users.c.user_id == wanted.c.user_id, isouter=True))
    with engine.connect() as db:
        found = {int(row.user_id): int(row.user_id if row.chat_id is None else row.chat_id)
                 for row in db.execute(query)}
    return sorted(found.items())
