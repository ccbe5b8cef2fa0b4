"""Applicants in Telegram: the list, 131 services, deletion, the ledger as an Excel document."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.adapters.telegram_send import Choice
from bot.adapters.telegram_services import chat_id_of, user_id_of
from bot.adapters.telegram_staff import (
    PREFIX,
    args_of,
    bot_username,
    mode,
    own_applicant,
    privileged,
    say,
    services_of,
    set_mode,
    staff_of,
    today,
)
from bot.core.render import text
from bot.flows.admin import local_time
from bot.staff import (
    ADMIN,
    COORDINATOR,
    STAFF,
    create_link,
    delete_applicant,
    delete_service,
    export_ledger,
    invite_link,
    record_service,
)
from bot.staff.listing import ApplicantPage, applicants_page, page_text
from bot.staff.services131 import new_button_token, required

NO, FIND, PAGE = f"{PREFIX}no", f"{PREFIX}find", f"{PREFIX}pg:"
OPEN, SERVICE, KIND, UNDO, DELETE, DELETE_YES, LINK = (
    f"{PREFIX}{k}:" for k in ("open", "svc", "svk", "svu", "del", "dely", "lnk"))


def link_button(applicant) -> list[Choice]:
    """The row with "发给本人的链接" for one applicant."""
    return [Choice(text("tgstaff.list.link", name=applicant.name), f"{LINK}{applicant.id}")]


def _applicant_buttons(summaries) -> list[list[Choice]]:
    """Per applicant: reopen the interview, record a 131 service, delete; then the worker's link."""
    rows = []
    for s in summaries:
        rows.append([Choice(text("tgstaff.list.open", name=s.applicant.name), f"{OPEN}{s.applicant.id}"),
                     Choice(text("tgstaff.list.service"), f"{SERVICE}{s.applicant.id}"),
                     Choice(text("tgstaff.list.delete"), f"{DELETE}{s.applicant.id}")])
        rows.append(link_button(s.applicant))
    return rows


def _page_buttons(found: ApplicantPage) -> list[list[Choice]]:
    """◀ ▶ between pages (the search travels along) and 🔍 to look for a name."""
    if found.pages == 1 and not found.query:
        return []
    row = []
    if found.page > 0:
        row.append(Choice(text("tgstaff.list.previous"), f"{PAGE}{found.page - 1}:{found.query}"))
    if found.page < found.pages - 1:
        row.append(Choice(text("tgstaff.list.next"), f"{PAGE}{found.page + 1}:{found.query}"))
    row.append(Choice(text("tgstaff.list.find"), FIND))
    return [row]


async def show_page(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0,
                    query: str | None = None) -> None:
    """One page of the list: what each can claim, buttons for the coordinator's own people."""
    user_id = user_id_of(update)
    found = applicants_page(staff_of(context), user_id, today(context), page, query)
    own = [s for s in found.summaries if s.applicant.coordinator_id == user_id]
    await say(update, context, page_text(found), _applicant_buttons(own) + _page_buttons(found))


@privileged(COORDINATOR, STAFF, ADMIN)
async def on_applicants(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/applicants [名字]: the list, one page at a time, or only names containing the text."""
    await show_page(update, context, 0, " ".join(args_of(context)) or None)


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    """The ◀ ▶ buttons: ``page:query``."""
    page, _, query = rest.partition(":")
    await show_page(update, context, int(page) if page.isdigit() else 0, query or None)


async def ask_name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The 🔍 button: the next typed text is a name to look for."""
    set_mode(services_of(context), user_id_of(update), {"mode": "search"})
    await say(update, context, text("tgstaff.list.ask_name"))


def _kind_buttons(applicant_id: int) -> list[list[Choice]]:
    """One button per 131 service kind; this set shares a token, so a re-tap records nothing."""
    token = new_button_token()
    return [[Choice(text(f"staff.service.{kind}"), f"{KIND}{applicant_id}:{kind}:{token}")]
            for kind in required()]


async def ask_service(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """Which service was delivered today to this applicant (ownership checked first)."""
    person = own_applicant(context, user_id_of(update), applicant_id, "service.record")
    await say(update, context, text("tgstaff.service.ask", name=person.name), _kind_buttons(applicant_id))


@privileged(COORDINATOR)
async def on_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/service [编号]: record a 131 service (default: the applicant being interviewed)."""
    args = args_of(context)
    current = mode(services_of(context), user_id_of(update)).get("applicant")
    target = args[0] if args else current
    if target is None or not str(target).isdigit():
        await say(update, context, text("tgstaff.service.usage"))
        return
    await ask_service(update, context, int(target))


async def record_kind(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    """Record the tapped service kind for the applicant, dated today, once per button set."""
    applicant_id, kind, token = [*rest.split(":", 2), ""][:3]
    if not token:  # a button from before tokens: fresh buttons instead of a second record
        own_applicant(context, user_id_of(update), int(applicant_id), "service.record")
        await say(update, context, text("telegram.stale_button"))
        await ask_service(update, context, int(applicant_id))
        return
    service = record_service(staff_of(context), user_id_of(update), int(applicant_id), kind,
                             today(context), token=token)
    key = "tgstaff.service.again" if service.repeated else "tgstaff.service.done"
    undo = [[Choice(text("tgstaff.service.undo"), f"{UNDO}{applicant_id}:{service.id}")]]
    await say(update, context, text(key, kind=text(f"staff.service.{service.kind}")), undo)


async def undo_service(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    """The 撤销 button under a confirmation: delete that service record."""
    applicant_id, _, service_id = rest.partition(":")
    delete_service(staff_of(context), user_id_of(update), int(applicant_id), int(service_id))
    await say(update, context, text("tgstaff.service.undone"))


async def give_link(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """A one-time deep link the coordinator forwards to the applicant (ownership checked)."""
    link = create_link(staff_of(context), user_id_of(update), applicant_id)
    username = await bot_username(context)
    await say(update, context, text("tgstaff.link.give", name=link.name,
                                    link=invite_link(username, link.token),
                                    until=local_time(link.expires_at)))


async def ask_delete(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """Confirm before deleting an applicant (ownership checked first)."""
    person = own_applicant(context, user_id_of(update), applicant_id, "applicant.delete")
    buttons = [[Choice(text("tgstaff.delete.yes"), f"{DELETE_YES}{applicant_id}"),
                Choice(text("tgstaff.delete.no"), NO)]]
    await say(update, context, text("tgstaff.delete.confirm", name=person.name), buttons)


async def confirm_delete(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """Delete the applicant and their services; leave their interview if it was open."""
    svc, user_id = services_of(context), user_id_of(update)
    delete_applicant(staff_of(context), user_id, applicant_id)
    if mode(svc, user_id).get("applicant") == applicant_id:
        set_mode(svc, user_id, {})
    await say(update, context, text("tgstaff.delete.done"))


@privileged(COORDINATOR, STAFF, ADMIN)
async def on_ledger(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ledger: the real-name ledger as an Excel file in the chat ("还没有登记的人" when empty)."""
    ledger = export_ledger(staff_of(context), user_id_of(update), today(context))
    if not ledger.rows:
        await say(update, context, text("staff.list.empty"))
        return
    await context.bot.send_document(chat_id_of(update), ledger.content, filename=ledger.filename,
                                    caption=text("tgstaff.ledger.caption"))
