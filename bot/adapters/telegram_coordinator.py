"""Coordinators in Telegram: register applicants, interview them on their behalf, 131, ledger."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.adapters.telegram_send import Choice
from bot.adapters.telegram_services import chat_id_of
from bot.adapters.telegram_staff import (PREFIX, args_of, mode, privileged, role, say,
                                         services_of, set_mode, staff_ctx)
from bot.core.render import text
from bot.staff import (ADMIN, COORDINATOR, STAFF, PermissionDenied, delete_applicant,
                       export_ledger, get_applicant, interview_step, list_applicants, record_service,
                       register_applicant, summaries_text)
from bot.staff.services131 import required

LEAVE, SKIP_PHONE, NO = f"{PREFIX}leave", f"{PREFIX}skip", f"{PREFIX}no"
OPEN, SERVICE, KIND, DELETE, DELETE_YES = (f"{PREFIX}{k}:" for k in ("open", "svc", "svk", "del", "dely"))


def _today(context: ContextTypes.DEFAULT_TYPE):
    """Today in the users' time zone (the bot's clock)."""
    return services_of(context).today()


async def _register(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str,
                    phone: str | None) -> None:
    """Register the applicant in the coordinator's village, then start their interview."""
    applicant = register_applicant(staff_ctx(context), update.effective_user.id, name, phone=phone)
    await say(update, context, text("tgstaff.apply.done", name=applicant.name,
                                    village=applicant.village, county=applicant.county))
    await start_behalf(update, context, applicant.id)


@privileged(COORDINATOR)
async def on_apply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/apply [姓名 [手机号]]: register an applicant (asks what is missing)."""
    args, svc = args_of(context), services_of(context)
    if args:
        set_mode(svc, update.effective_user.id, {})
        await _register(update, context, args[0], " ".join(args[1:]) or None)
        return
    set_mode(svc, update.effective_user.id, {"mode": "register", "step": "name"})
    await say(update, context, text("tgstaff.apply.ask_name"))


async def _registration_text(update: Update, context: ContextTypes.DEFAULT_TYPE, state: dict,
                             answer: str) -> None:
    """The next answer of the /apply flow: the name, then the phone."""
    svc, user_id = services_of(context), update.effective_user.id
    if state.get("step") == "name":
        set_mode(svc, user_id, {"mode": "register", "step": "phone", "name": answer.strip()})
        await say(update, context, text("tgstaff.apply.ask_phone"),
                  [[Choice(text("tgstaff.apply.skip_phone"), SKIP_PHONE)]])
        return
    await _register(update, context, state.get("name", ""), answer)
    # a refused phone raises before this line: the flow stays open for another try


async def start_behalf(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """Enter "on behalf" mode for the applicant and show where their interview stands."""
    ctx, user_id = staff_ctx(context), update.effective_user.id
    person = _own_applicant(context, user_id, applicant_id, "applicant.interview")
    turn = interview_step(ctx, user_id, applicant_id, as_of=_today(context))
    set_mode(services_of(context), user_id, {"mode": "behalf", "applicant": applicant_id})
    await say(update, context, text("tgstaff.behalf.start", name=person.name))
    await _show(update, context, turn.replies)


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, replies) -> None:
    """The interview's replies, with a "done" button under the last one."""
    leave = [Choice(text("tgstaff.behalf.leave"), LEAVE)]
    for index, reply in enumerate(replies):
        last = index == len(replies) - 1
        await say(update, context, reply.text, [*reply.buttons, leave] if last else reply.buttons)


async def _behalf_input(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int,
                        *, typed: str | None = None, button: str | None = None) -> None:
    """One input of the applicant's interview (the service checks ownership on every call)."""
    turn = interview_step(staff_ctx(context), update.effective_user.id, applicant_id,
                          as_of=_today(context), text_in=typed, button=button)
    await _show(update, context, turn.replies)


async def on_mode_text(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str,
                       registering: bool = True) -> bool:
    """Typed input while registering or acting on behalf; False when no such mode is open."""
    svc, user_id = services_of(context), update.effective_user.id
    state = mode(svc, user_id)
    if state and role(context, user_id) != COORDINATOR:
        set_mode(svc, user_id, {})  # the role was taken away meanwhile: back to the worker flow
        return False
    if state.get("mode") == "register" and registering:
        await _registration_text(update, context, state, typed)
    elif state.get("mode") == "behalf":
        await _behalf_input(update, context, int(state["applicant"]), typed=typed)
    else:
        return False
    return True


async def on_mode_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> bool:
    """An interview button tapped while acting on behalf; False when not in that mode."""
    state = mode(services_of(context), update.effective_user.id)
    if state.get("mode") != "behalf":
        return False
    await _behalf_input(update, context, int(state["applicant"]), button=data)
    return True


async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop acting on behalf (or registering); the applicant's answers stay saved."""
    set_mode(services_of(context), update.effective_user.id, {})
    await say(update, context, text("tgstaff.behalf.left"))


@privileged(COORDINATOR)
async def on_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/done: leave "on behalf" mode."""
    await leave(update, context)


def _applicant_buttons(summaries) -> list[list[Choice]]:
    """Per applicant: reopen the interview, record a 131 service, delete."""
    return [[Choice(text("tgstaff.list.open", name=s.applicant.name), f"{OPEN}{s.applicant.id}"),
             Choice(text("tgstaff.list.service"), f"{SERVICE}{s.applicant.id}"),
             Choice(text("tgstaff.list.delete"), f"{DELETE}{s.applicant.id}")] for s in summaries]


@privileged(COORDINATOR, STAFF, ADMIN)
async def on_applicants(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/applicants: what each can claim and the nearest deadline (buttons for coordinators)."""
    user_id = update.effective_user.id
    summaries = list_applicants(staff_ctx(context), user_id, _today(context))
    own = [s for s in summaries if s.applicant.coordinator_id == user_id]
    await say(update, context, summaries_text(summaries), _applicant_buttons(own))


def _kind_buttons(applicant_id: int) -> list[list[Choice]]:
    """One button per 131 service kind."""
    return [[Choice(text(f"staff.service.{kind}"), f"{KIND}{applicant_id}:{kind}")]
            for kind in required()]


def _own_applicant(context: ContextTypes.DEFAULT_TYPE, user_id: int, applicant_id: int, action: str):
    """The applicant if ``user_id`` is their coordinator; staff and admins only read, so are refused."""
    person = get_applicant(staff_ctx(context), user_id, applicant_id)
    if person.coordinator_id != user_id:
        raise PermissionDenied(action)
    return person


async def ask_service(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """Which service was delivered today to this applicant (ownership checked first)."""
    person = _own_applicant(context, update.effective_user.id, applicant_id, "service.record")
    await say(update, context, text("tgstaff.service.ask", name=person.name), _kind_buttons(applicant_id))


@privileged(COORDINATOR)
async def on_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/service [编号]: record a 131 service (default: the applicant being interviewed)."""
    args = args_of(context)
    current = mode(services_of(context), update.effective_user.id).get("applicant")
    target = args[0] if args else current
    if target is None or not str(target).isdigit():
        await say(update, context, text("tgstaff.service.usage"))
        return
    await ask_service(update, context, int(target))


async def record_kind(update: Update, context: ContextTypes.DEFAULT_TYPE, rest: str) -> None:
    """Record the tapped service kind for the applicant, dated today."""
    applicant_id, kind = rest.split(":", 1)
    record_service(staff_ctx(context), update.effective_user.id, int(applicant_id), kind, _today(context))
    await say(update, context, text("tgstaff.service.done", kind=text(f"staff.service.{kind}")))


async def ask_delete(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """Confirm before deleting an applicant (ownership checked first)."""
    person = _own_applicant(context, update.effective_user.id, applicant_id, "applicant.delete")
    buttons = [[Choice(text("tgstaff.delete.yes"), f"{DELETE_YES}{applicant_id}"),
                Choice(text("tgstaff.delete.no"), NO)]]
    await say(update, context, text("tgstaff.delete.confirm", name=person.name), buttons)


async def confirm_delete(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """Delete the applicant and their services; leave their interview if it was open."""
    svc, user_id = services_of(context), update.effective_user.id
    delete_applicant(staff_ctx(context), user_id, applicant_id)
    if mode(svc, user_id).get("applicant") == applicant_id:
        set_mode(svc, user_id, {})
    await say(update, context, text("tgstaff.delete.done"))


@privileged(COORDINATOR, STAFF, ADMIN)
async def on_ledger(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ledger: the real-name ledger as an Excel file in the chat."""
    ledger = export_ledger(staff_ctx(context), update.effective_user.id, _today(context))
    await context.bot.send_document(chat_id_of(update), ledger.content, filename=ledger.filename,
                                    caption=text("tgstaff.ledger.caption"))
