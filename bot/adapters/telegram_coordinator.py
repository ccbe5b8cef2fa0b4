"""Coordinators in Telegram: register an applicant and run the interview on their behalf."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.adapters.telegram_applicants import link_button, show_page
from bot.adapters.telegram_reminders import store_reminders
from bot.adapters.telegram_send import Choice
from bot.adapters.telegram_services import chat_id_of, user_id_of
from bot.adapters.telegram_staff import (
    PREFIX,
    args_of,
    mode,
    own_applicant,
    privileged,
    role,
    say,
    services_of,
    set_mode,
    staff_of,
    today,
)
from bot.core.errors import InputError
from bot.core.render import text
from bot.staff import COORDINATOR, interview_step, register_applicant
from bot.staff.applicants import typed_name, typed_phone

LEAVE, SKIP_PHONE = f"{PREFIX}leave", f"{PREFIX}skip"


async def _register(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str,
                    phone: str | None) -> None:
    """Register the applicant in the coordinator's village, then start their interview."""
    applicant = register_applicant(staff_of(context), user_id_of(update), name, phone=phone)
    await say(update, context, text("tgstaff.apply.done", name=applicant.name,
                                    village=applicant.village, county=applicant.county),
              [link_button(applicant)])
    await start_behalf(update, context, applicant.id)


@privileged(COORDINATOR)
async def on_apply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/apply [姓名 [手机号]]: register an applicant (asks what is missing)."""
    args, svc = args_of(context), services_of(context)
    if args:
        set_mode(svc, user_id_of(update), {})
        phone = typed_phone(" ".join(args[1:])) if args[1:] else None
        await _register(update, context, typed_name(args[0]), phone)
        return
    set_mode(svc, user_id_of(update), {"mode": "register", "step": "name"})
    await say(update, context, text("tgstaff.apply.ask_name"))


async def _registration_text(update: Update, context: ContextTypes.DEFAULT_TYPE, state: dict,
                             answer: str) -> None:
    """The next answer of the /apply flow: the name, then the phone."""
    svc, user_id = services_of(context), user_id_of(update)
    if state.get("step") == "name":
        set_mode(svc, user_id, {"mode": "register", "step": "phone", "name": typed_name(answer)})
        await say(update, context, text("tgstaff.apply.ask_phone"),
                  [[Choice(text("tgstaff.apply.skip_phone"), SKIP_PHONE)]])
        return
    await _register(update, context, state.get("name", ""), typed_phone(answer))
    # a refused phone raises before this line: the flow stays open for another try


def end_registration(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> None:
    """A command was sent while /apply (or 🔍) waited for text: that flow is dropped."""
    svc = services_of(context)
    if mode(svc, user_id).get("mode") in ("register", "search"):
        set_mode(svc, user_id, {})


async def skip_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "不填" button of the /apply flow: register without a phone."""
    state = mode(services_of(context), user_id_of(update))
    if state.get("mode") != "register" or state.get("step") != "phone":
        await say(update, context, text("telegram.stale_button"))
        return
    await _register(update, context, state.get("name", ""), None)


async def start_behalf(update: Update, context: ContextTypes.DEFAULT_TYPE, applicant_id: int) -> None:
    """Enter "on behalf" mode for the applicant and show where their interview stands."""
    ctx, user_id = staff_of(context), user_id_of(update)
    person = own_applicant(context, user_id, applicant_id, "applicant.interview")
    turn = interview_step(ctx, user_id, applicant_id, as_of=today(context))
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
    try:
        turn = interview_step(staff_of(context), user_id_of(update), applicant_id,
                              as_of=today(context), text_in=typed, button=button)
    except InputError:  # deleted or handed to another coordinator meanwhile: leave the mode
        set_mode(services_of(context), user_id_of(update), {})
        raise
    for event in turn.events:  # reminders about the applicant, for the coordinator: stored first
        if event.get("type") == "reminders_accepted":
            store_reminders(services_of(context).storage, user_id_of(update), chat_id_of(update), event)
    await _show(update, context, turn.replies)


async def on_mode_text(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str,
                       registering: bool = True) -> bool:
    """Typed input while registering or acting on behalf; False when no such mode is open."""
    svc, user_id = services_of(context), user_id_of(update)
    state = mode(svc, user_id)
    if state.get("mode") == "search":  # after 🔍 (any staff role; the list checks it)
        set_mode(svc, user_id, {})
        if typed.startswith("/"):
            return False
        await show_page(update, context, 0, typed)
        return True
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
    state = mode(services_of(context), user_id_of(update))
    if state.get("mode") != "behalf":
        return False
    await _behalf_input(update, context, int(state["applicant"]), button=data)
    return True


async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop acting on behalf (or registering); the applicant's answers stay saved."""
    set_mode(services_of(context), user_id_of(update), {})
    await say(update, context, text("tgstaff.behalf.left"))


@privileged(COORDINATOR)
async def on_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/done: leave "on behalf" mode."""
    await leave(update, context)
