"""A coordinator's /delete in Telegram: choose who takes his applicants, then erase him."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.adapters.telegram_send import Choice
from bot.adapters.telegram_services import Services, services, user_id_of
from bot.core.render import text
from bot.staff.departure import KEEP as KEEP_FOR_STAFF
from bot.staff.departure import Departure

HAND_OVER, KEEP = "acct:delete:to:", "acct:delete:keep"  # account buttons (telegram_account.PREFIX)


def departure(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> Departure | None:
    """A coordinator's applicants and possible successors (None when there is nothing to decide)."""
    from bot.adapters.telegram_staff import staff_ctx
    from bot.staff.departure import departure_of

    ctx = staff_ctx(context)
    found = departure_of(ctx, user_id) if ctx is not None else None
    return found if found and found.applicants else None


def departure_buttons(svc: Services, successors: tuple[int, ...], cancel: str) -> list[list[Choice]]:
    """One button per coordinator of the village, then "keep for staff", then "do not delete"."""
    rows = []
    for successor in successors[:5]:
        person = svc.storage.get_user(successor)
        who = person.name if person and person.name else text("staff.role.coordinator")
        rows.append([Choice(text("tgstaff.depart.hand_over", name=who), f"{HAND_OVER}{successor}")])
    rows.append([Choice(text("tgstaff.depart.keep"), KEEP)])
    rows.append([Choice(text("telegram.delete.no"), cancel)])
    return rows


async def settle_and_forget(update: Update, context: ContextTypes.DEFAULT_TYPE, choice: str) -> str:
    """Hand over or keep the coordinator's applicants (audited), then erase the user."""
    from bot.adapters.telegram_staff import staff_of
    from bot.staff.departure import settle_applicants

    moved = settle_applicants(staff_of(context), user_id_of(update), choice)
    services(context).forget(user_id_of(update))
    return text("tgstaff.depart.done", count=moved, kept=choice == KEEP_FOR_STAFF)
