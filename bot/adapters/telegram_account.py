"""Adapter-level commands: /subscribe, /unsubscribe, /me, /delete (and their buttons)."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.adapters.telegram_departure import (
    HAND_OVER,
    KEEP,
    departure,
    departure_buttons,
    settle_and_forget,
)
from bot.adapters.telegram_send import Choice, send_text
from bot.adapters.telegram_services import (
    Services,
    chat_id_of,
    message_text,
    per_user,
    services,
    user_id_of,
    user_of,
)
from bot.core.render import render, text


def _fairs_opt_out(context: ContextTypes.DEFAULT_TYPE, user_id: int, opt_out: bool) -> bool:
    """Record a linked applicant's choice about job fairs; False when the user is not one."""
    from bot.adapters.telegram_staff import staff_ctx
    from bot.staff.links import set_fairs_opt_out

    ctx = staff_ctx(context)
    return ctx is not None and set_fairs_opt_out(ctx, user_id, opt_out)

PREFIX = "acct:"
DELETE_YES, DELETE_NO = f"{PREFIX}delete:yes", f"{PREFIX}delete:no"


def known_answers(state: dict | None) -> dict:
    """The interview's answers (fact -> value) found in a core state."""
    state = state or {}
    for key in ("facts", "answers"):
        if isinstance(state.get(key), dict):
            return state[key]
    return {}


def clear_pending(svc: Services, user_id: int) -> None:
    """Forget what the adapter was waiting for from this user."""
    svc.set_pending(user_id, {})


async def _subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE,
                     county: str, city: str | None) -> None:
    """Subscribe the user to the county (and work city) and say so."""
    storage, user_id = services(context).storage, user_id_of(update)
    places = [("county", county)] + ([("city", city)] if city else [])
    added = [storage.subscribe(user_id, kind, key) for kind, key in places]
    names = text("telegram.subscribe.joiner").join(key for _, key in places)
    key = "telegram.subscribe.done" if any(added) else "telegram.subscribe.already"
    await send_text(context.bot, chat_id_of(update), text(key, places=names))


def _county_name(answer: str) -> str:
    """The county's full name (the subscription key), as the gazetteer spells it."""
    from bot.core.errors import InputError
    from bot.core.places import resolve_county

    try:
        return resolve_county(answer).name
    except InputError:
        return answer


async def subscribe_from_answers(update: Update, context: ContextTypes.DEFAULT_TYPE,
                                 state: dict | None) -> None:
    """Subscribe to the places in the answers, or ask for the home county first."""
    answers = known_answers(state)
    county, city = answers.get("origin_county"), answers.get("work_city")
    if county:
        await _subscribe(update, context, _county_name(str(county)), str(city) if city else None)
        return
    services(context).set_pending(user_id_of(update), {"awaiting": "county"})
    await send_text(context.bot, chat_id_of(update), text("telegram.subscribe.ask_county"))


async def answer_pending(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Use a typed message to answer the adapter's own question; False when none is open."""
    from bot.core.errors import InputError
    from bot.core.places import resolve_county

    svc, user_id = services(context), user_id_of(update)
    if svc.pending(user_id).get("awaiting") != "county":
        return False
    try:
        place = resolve_county(message_text(update))
    except InputError:
        await send_text(context.bot, chat_id_of(update), text("telegram.subscribe.unknown_county"))
        return True
    clear_pending(svc, user_id)
    city = known_answers(svc.load_state(user_id)).get("work_city")
    await _subscribe(update, context, place.name, str(city) if city else None)
    return True


@per_user
async def on_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe to job-fair news for the home county and work city."""
    storage, user = services(context).storage, user_of(update)
    storage.upsert_user(user.id, chat_id_of(update), user.full_name)
    if _fairs_opt_out(context, user.id, False):  # a linked applicant who had unsubscribed
        await send_text(context.bot, chat_id_of(update), text("tgstaff.link.fairs_on"))
        return
    await subscribe_from_answers(update, context, services(context).load_state(user.id))


@per_user
async def on_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop all job-fair news for the user (subscriptions, and as a linked applicant)."""
    svc, user_id = services(context), user_id_of(update)
    clear_pending(svc, user_id)
    removed = svc.storage.unsubscribe(user_id)
    linked = _fairs_opt_out(context, user_id, True)  # fairs reach linked applicants too
    key = "telegram.unsubscribe.done" if removed or linked else "telegram.unsubscribe.none"
    await send_text(context.bot, chat_id_of(update), text(key))


def _answer_lines(state: dict | None) -> list[tuple[str, str]]:
    """(question, answer) pairs for /me, in the interview's own words."""
    from bot.core.presenter import answer_label, question_text

    if not state or not isinstance(state.get("answers"), list):
        return []
    full = {"facts": {}, **state}
    return [(question_text(entry["q"], full), str(answer_label(entry["shown"]) or entry["shown"]))
            for entry in state["answers"] if "q" in entry and "shown" in entry]


@per_user
async def on_me(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show everything the bot stores about the user."""
    svc, user = services(context), user_of(update)
    record = svc.storage.get_user(user.id) or svc.storage.upsert_user(
        user.id, chat_id_of(update), user.full_name)
    body = render(
        "telegram_me", user_name=record.name, first_seen=record.first_seen, payload=record.payload,
        answers=_answer_lines(svc.load_state(user.id)),
        subscriptions=[s.key for s in svc.storage.subscriptions(user.id)],
        reminders=[r for r in svc.storage.reminders(user.id) if r.sent_at is None])
    await send_text(context.bot, chat_id_of(update), body)


async def _ask_delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask to confirm; a coordinator with applicants chooses what happens to them first."""
    leaving = departure(context, user_id_of(update))
    if leaving is None:
        buttons = [[Choice(text("telegram.delete.yes"), DELETE_YES),
                    Choice(text("telegram.delete.no"), DELETE_NO)]]
        await send_text(context.bot, chat_id_of(update), text("telegram.delete.confirm"), buttons)
        return
    words = text("tgstaff.depart.ask", count=leaving.applicants, others=bool(leaving.successors))
    await send_text(context.bot, chat_id_of(update), words,
                    departure_buttons(services(context), leaving.successors, DELETE_NO))


@per_user
async def on_delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask whether to erase everything about the user (a coordinator: and his applicants' fate)."""
    await _ask_delete(update, context)


async def on_account_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> None:
    """Act on a /delete confirmation button; anything else is stale."""
    from bot.core.errors import InputError
    from bot.staff.departure import KEEP as KEEP_CHOICE

    if data == DELETE_YES and departure(context, user_id_of(update)) is not None:
        await _ask_delete(update, context)  # never orphan a coordinator's applicants silently
        return
    if data == DELETE_YES:
        services(context).forget(user_id_of(update))
        message = text("telegram.delete.done")
    elif data == DELETE_NO:
        message = text("telegram.delete.kept")
    elif data == KEEP or (data.startswith(HAND_OVER) and data.removeprefix(HAND_OVER).isdigit()):
        try:
            message = await settle_and_forget(
                update, context, KEEP_CHOICE if data == KEEP else data.removeprefix(HAND_OVER))
        except InputError as refused:  # the successor lost the role meanwhile: nothing erased
            message = refused.zh
    else:
        message = text("telegram.stale_button")
    await send_text(context.bot, chat_id_of(update), message)
