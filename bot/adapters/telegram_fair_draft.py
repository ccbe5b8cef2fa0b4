"""The /fair draft: six questions kept in the DB, each time shown back, then preview and send.

Handlers of ``telegram_fairs`` (registered by its ``register``); they share its ``Fairs``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update

from bot.adapters.telegram_broadcast import compose, recipients, start_fair
from bot.adapters.telegram_fairs import Context, Fairs, allowed, staff_only
from bot.adapters.telegram_send import Choice, send_text
from bot.adapters.telegram_services import button_data, chat_id_of, message_text
from bot.broadcast.drafts import Draft
from bot.broadcast.fair_input import resolve_targets
from bot.broadcast.fair_when import resolve_when, shown_when
from bot.core.errors import InputError
from bot.core.render import text
from bot.staff import ADMIN, Grant, PermissionDenied
from bot.staff.models import stored_id

PREFIX = "fair:"
STEPS = ("title", "starts_at", "place", "organiser", "targets", "details")
TIMES = ("starts_at", "send_at")
CONFIRM = "confirm:"   # draft step prefix: a resolved time shown back, waiting for 对 or a retype
YES = frozenset({"对", "对的", "是", "是的", "好", "好的", "确定", "没错", "嗯"})
LIMITS = {"title": 100, "place": 300, "organiser": 100, "details": 1000}


def _quit_button() -> list[list[Choice]]:
    return [[Choice(text("fairs.button.cancel"), f"{PREFIX}quit")]]


def _scope_text(grant: Grant) -> str:
    return "、".join((*grant.counties, *grant.cities)) or text("fairs.all_places")


async def _ask(update: Update, context: Context, step: str, grant: Grant) -> None:
    """Ask the question of ``step``."""
    await send_text(context.bot, chat_id_of(update), text(f"fairs.ask.{step}", places=_scope_text(grant)),
                    _quit_button())


@staff_only
async def on_fair(update: Update, context: Context, fx: Fairs, user_id: int) -> None:
    """/fair: start a new draft (replacing an unfinished one)."""
    grant = allowed(fx, user_id, "fair.create")
    fx.outbox.save_draft(user_id, STEPS[0], {}, fx.outbox.clock.now())
    await _ask(update, context, STEPS[0], grant)


def _answer(step: str, answer: str, fx: Fairs, grant: Grant) -> str | list[str]:
    """The stored value of one answer other than a time (InputError when it will not do)."""
    answer = answer.strip()
    if not answer:
        raise InputError(text("fairs.bad.empty"), "empty")
    if step == "targets":
        return resolve_targets(answer, grant.counties, grant.cities, grant.role == ADMIN,
                               fx.staff.resolve_county)
    if step == "details" and answer == text("fairs.none_word"):
        return ""
    if len(answer) > LIMITS[step]:
        raise InputError(text("fairs.bad.long", n=LIMITS[step]), "too long")
    return answer


def _confirm_buttons(past: bool) -> list[list[Choice]]:
    return [[Choice(text("fairs.button.when_past_ok" if past else "fairs.button.when_ok"),
                    f"{PREFIX}when_ok"),
             Choice(text("fairs.button.when_retype"), f"{PREFIX}when_retype")],
            *_quit_button()]


async def _show_when(update: Update, context: Context, fx: Fairs, user_id: int, draft: Draft,
                     typed: str) -> None:
    """Resolve a typed time and show it back (weekday included) for 对 or a retype."""
    when = resolve_when(typed, fx.outbox.clock.now())
    shown = shown_when(when.moment)
    if draft.step == "send_at" and when.past:
        raise InputError(text("fairs.bad.send_past", when=shown), f"send time past: {typed}")
    fields = draft.fields | {"pending": when.moment.isoformat()}
    fx.outbox.save_draft(user_id, CONFIRM + draft.step, fields, fx.outbox.clock.now())
    key = "fairs.confirm_when_past" if when.past else "fairs.confirm_when"
    await send_text(context.bot, chat_id_of(update), text(key, when=shown), _confirm_buttons(when.past))


async def _advance(update: Update, context: Context, fx: Fairs, user_id: int, grant: Grant,
                   step: str, fields: dict[str, Any]) -> None:
    """After ``step`` was answered: the next question, the schedule, or the preview."""
    if step == "send_at":
        await _schedule(update, context, fx, user_id, fields)
        return
    following = STEPS.index(step) + 1
    if following < len(STEPS):
        fx.outbox.save_draft(user_id, STEPS[following], fields, fx.outbox.clock.now())
        await _ask(update, context, STEPS[following], grant)
        return
    fx.outbox.drop_draft(user_id)
    await _preview(update, context, fx, user_id, fields)


async def _accept_when(update: Update, context: Context, fx: Fairs, user_id: int, grant: Grant,
                       draft: Draft) -> None:
    """对: the time shown back is taken."""
    step = draft.step.removeprefix(CONFIRM)
    fields = {k: v for k, v in draft.fields.items() if k != "pending"}
    await _advance(update, context, fx, user_id, grant, step, fields | {step: draft.fields["pending"]})


@staff_only
async def on_draft_text(update: Update, context: Context, fx: Fairs, user_id: int) -> None:
    """A typed answer to the open /fair question."""
    try:
        grant = allowed(fx, user_id, "fair.create")
    except PermissionDenied:  # the role was taken away mid-draft: let them talk to the bot again
        fx.outbox.drop_draft(user_id)
        raise
    draft = fx.outbox.get_draft(user_id)
    if draft is None:
        return
    typed = message_text(update)
    if draft.step.startswith(CONFIRM):
        if typed.strip() in YES:
            await _accept_when(update, context, fx, user_id, grant, draft)
            return
        draft = Draft(user_id, draft.step.removeprefix(CONFIRM), draft.fields)  # a retyped time
    if draft.step in TIMES:
        await _show_when(update, context, fx, user_id, draft, typed)
        return
    fields = draft.fields | {draft.step: _answer(draft.step, typed, fx, grant)}
    await _advance(update, context, fx, user_id, grant, draft.step, fields)


async def _preview(update: Update, context: Context, fx: Fairs, user_id: int,
                   fields: dict[str, Any]) -> None:
    """Store the fair as a draft and show it exactly as workers will see it, with the choices."""
    fair = fx.outbox.create_fair(
        title=fields["title"], starts_at=datetime.fromisoformat(fields["starts_at"]),
        place_or_link=fields["place"], organiser=fields["organiser"],
        target_counties=fields["targets"], details=fields["details"], created_by=user_id)
    allowed(fx, user_id, "fair.create", f"fair:{fair.id}", {"counties": fields["targets"]})
    chat = chat_id_of(update)
    reach = len(recipients(fx.storage, fair.target_counties))
    await send_text(context.bot, chat, text("fairs.preview_head"))
    await send_text(context.bot, chat, compose(fair))
    await send_text(context.bot, chat, text("fairs.reach", n=reach), [[
        Choice(text("fairs.button.send"), f"{PREFIX}send:{fair.id}"),
        Choice(text("fairs.button.schedule"), f"{PREFIX}sched:{fair.id}"),
        Choice(text("fairs.button.cancel"), f"{PREFIX}cancel:{fair.id}")]])


async def _schedule(update: Update, context: Context, fx: Fairs, user_id: int,
                    fields: dict[str, Any]) -> None:
    """Schedule the fair named in the draft at the time just given."""
    fair = fx.outbox.get_fair(int(fields["fair_id"]))
    fx.outbox.drop_draft(user_id)
    if fair is None or fair.status != "draft":
        await send_text(context.bot, chat_id_of(update), text("fairs.stale"))
        return
    when = datetime.fromisoformat(fields["send_at"])
    allowed(fx, user_id, "fair.schedule", f"fair:{fair.id}", {"send_at": fields["send_at"]})
    fx.outbox.set_fair_status(stored_id(fair.id), "scheduled", send_at=when)
    await send_text(context.bot, chat_id_of(update), text("fairs.scheduled", when=shown_when(when)))


@staff_only
async def on_fair_button(update: Update, context: Context, fx: Fairs, user_id: int) -> None:
    """立即发送 / 定时发送 / 取消 under a preview, or 取消 under a question."""
    grant = allowed(fx, user_id, "fair.button")
    action, _, ref = button_data(update).removeprefix(PREFIX).partition(":")
    chat = chat_id_of(update)
    if action == "quit":
        fx.outbox.drop_draft(user_id)
        await send_text(context.bot, chat, text("fairs.cancelled"))
        return
    if action in ("when_ok", "when_retype"):
        await _when_button(update, context, fx, user_id, grant, action)
        return
    fair = fx.outbox.get_fair(int(ref)) if ref.isdigit() else None
    if fair is None or fair.status != "draft" or (
            fair.created_by != user_id and grant.role != ADMIN):
        await send_text(context.bot, chat, text("fairs.stale"))
        return
    if action == "send":
        allowed(fx, user_id, "fair.send", f"fair:{fair.id}")
        await start_fair(context.bot, fx.outbox, fx.storage, fair, chat)
    elif action == "sched":
        fx.outbox.save_draft(user_id, "send_at", {"fair_id": fair.id}, fx.outbox.clock.now())
        await send_text(context.bot, chat, text("fairs.ask.send_at"), _quit_button())
    elif action == "cancel":
        allowed(fx, user_id, "fair.cancel", f"fair:{fair.id}")
        fx.outbox.cancel_unsent(stored_id(fair.id))
        await send_text(context.bot, chat, text("fairs.cancelled"))


async def _when_button(update: Update, context: Context, fx: Fairs, user_id: int, grant: Grant,
                       action: str) -> None:
    """对 / 重新输入 under a time shown back."""
    draft = fx.outbox.get_draft(user_id)
    if draft is None or not draft.step.startswith(CONFIRM):
        await send_text(context.bot, chat_id_of(update), text("telegram.stale_button"))
        return
    if action == "when_ok":
        await _accept_when(update, context, fx, user_id, grant, draft)
        return
    step = draft.step.removeprefix(CONFIRM)
    fields = {k: v for k, v in draft.fields.items() if k != "pending"}
    fx.outbox.save_draft(user_id, step, fields, fx.outbox.clock.now())
    await _ask(update, context, step, grant)


async def repeat_question(update: Update, context: Context, user_id: int) -> bool:
    """The open /fair question again, with its buttons (after a photo or sticker); False if none."""
    fx: Fairs | None = context.application.bot_data.get("fairs")
    draft = fx.outbox.get_draft(user_id) if fx else None
    if fx is None or draft is None:
        return False
    try:
        grant = allowed(fx, user_id, "fair.create")
    except PermissionDenied:
        return False
    if draft.step.startswith(CONFIRM):
        moment = datetime.fromisoformat(draft.fields["pending"])
        past = moment < fx.outbox.clock.now()
        key = "fairs.confirm_when_past" if past else "fairs.confirm_when"
        await send_text(context.bot, chat_id_of(update), text(key, when=shown_when(moment)),
                        _confirm_buttons(past))
    else:
        await _ask(update, context, draft.step, grant)
    return True
