"""Staff commands /fair and /fairs: a guided fair kept in the DB, preview, send now or schedule.

Wiring (composition root)::

    outbox, staff_ctx = open_fairs(settings, storage)
    register(application, outbox=outbox, staff_ctx=staff_ctx, storage=storage, rate=30.0)
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from telegram import Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.adapters import telegram_stats as stats
from bot.adapters.telegram_broadcast import (
    chain,
    compose,
    make_sender,
    recipients,
    start_delivery,
    start_fair,
    stop_delivery,
)
from bot.adapters.telegram_send import Choice, send_text
from bot.adapters.telegram_services import (
    Handler,
    button_data,
    chat_id_of,
    message_text,
    services,
)
from bot.broadcast import Outbox, Sender, SenderConfig, open_outbox
from bot.broadcast.drafts import Draft
from bot.broadcast.fair_input import resolve_targets
from bot.broadcast.fair_when import resolve_when, shown_when
from bot.config import Settings
from bot.core.errors import InputError
from bot.core.render import text
from bot.staff import (
    ADMIN,
    STAFF,
    Grant,
    PermissionDenied,
    StaffContext,
    create_tables,
    require,
)
from bot.staff.audit import record
from bot.staff.models import stored_id
from bot.storage import Storage

GROUP = -5          # before the dedupe group (-1): our handlers dedupe themselves
RESERVE_GROUP = -10  # first of all: set budget aside for the replies to every incoming update
REPLY_RESERVE = 1.5  # messages set aside per update (an answer is one message, sometimes two)
PREFIX = "fair:"
STEPS = ("title", "starts_at", "place", "organiser", "targets", "details")
TIMES = ("starts_at", "send_at")
CONFIRM = "confirm:"   # draft step prefix: a resolved time shown back, waiting for 对 or a retype
YES = frozenset({"对", "对的", "是", "是的", "好", "好的", "确定", "没错", "嗯"})
LIMITS = {"title": 100, "place": 300, "organiser": 100, "details": 1000}
Context = ContextTypes.DEFAULT_TYPE


@dataclass
class Fairs:
    """What the fair handlers share (``application.bot_data["fairs"]``)."""

    outbox: Outbox
    staff: StaffContext
    storage: Storage
    sender: Sender | None = None
    interval: float = 2.0
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


# A fair handler: the update, its context, the shared services and the sender's user id.
FairHandler = Callable[[Update, Context, Fairs, int], Coroutine[Any, Any, None]]


def open_fairs(settings: Settings, storage: Storage) -> tuple[Outbox, StaffContext]:
    """The outbox and staff context on the bot's database (tables created)."""
    engine: Engine | None = getattr(storage, "engine", None)
    if engine is None:
        raise TypeError("fairs need the SQL storage")
    staff_ctx = StaffContext(engine=engine, admin_ids=settings.admin_ids)
    create_tables(staff_ctx.engine)
    return open_outbox(settings.database_url), staff_ctx


def fairs_of(context: Context) -> Fairs:
    """The shared fair services."""
    fx: Fairs = context.application.bot_data["fairs"]
    return fx


def allowed(fx: Fairs, user_id: int, action: str, target: str = "",
            detail: dict[str, Any] | None = None) -> Grant:
    """The staff/admin grant of the user (checked on every call); audited when ``target`` given."""
    with fx.staff.transaction() as session:
        grant = require(session, fx.staff, user_id, STAFF, ADMIN, action=action)
        if target:
            record(session, fx.staff, user_id, action, target, detail)
        return grant


def staff_only(handler: FairHandler) -> Handler:
    """Once per update (dedupe), under the user's lock, refused to non-staff; stops other groups."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: Context) -> None:
        svc, user = services(context), update.effective_user
        if user is None or not svc.storage.mark_update_processed(update.update_id):
            raise ApplicationHandlerStop
        async with svc.lock(user.id):
            if update.callback_query:
                await update.callback_query.answer()
            try:
                await handler(update, context, fairs_of(context), user.id)
            except InputError as error:  # PermissionDenied included: nothing was changed
                await send_text(context.bot, chat_id_of(update), error.zh)
        raise ApplicationHandlerStop

    return wrapped


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


@staff_only
async def on_stats(update: Update, context: Context, fx: Fairs, user_id: int) -> None:
    """/stats: interviews, claimable subsidies and broadcasts of the staff's places."""
    grant = allowed(fx, user_id, "stats.read", "stats")
    body = await asyncio.to_thread(stats.stats_text, fx, grant, services(context).today())
    await send_text(context.bot, chat_id_of(update), body)


class _HasDraft(filters.MessageFilter):
    """Messages from a user with an open /fair draft (looked up in the DB)."""

    def __init__(self, outbox: Outbox) -> None:
        super().__init__(name="has_fair_draft")
        self.outbox = outbox

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and self.outbox.get_draft(message.from_user.id) is not None


def register(application: Application, *, outbox: Outbox, staff_ctx: StaffContext,
             storage: Storage, rate: float = 30.0, progress_interval: float = 2.0,
             sender_config: SenderConfig | None = None) -> None:
    """Add /fair, /fairs, /stats and the fair buttons; run the sender with the application."""
    fx = Fairs(outbox, staff_ctx, storage, interval=progress_interval)
    fx.sender = sender = make_sender(application.bot, outbox, storage,
                                     sender_config or SenderConfig(rate=rate))
    application.bot_data["fairs"] = fx

    async def reserve_for_replies(update: Update, _context: Context) -> None:
        """Replies to people go before the fair: the sender leaves them their share of 30/s."""
        if update.effective_user is not None:
            sender.reserve(REPLY_RESERVE)

    application.add_handler(TypeHandler(Update, reserve_for_replies), group=RESERVE_GROUP)
    application.add_handler(CommandHandler("fair", on_fair), group=GROUP)
    application.add_handler(CommandHandler("stats", on_stats), group=GROUP)
    application.add_handler(CallbackQueryHandler(on_fair_button, pattern=f"^{PREFIX}"), group=GROUP)
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & _HasDraft(outbox),
        on_draft_text), group=GROUP)
    from bot.adapters import telegram_fair_list  # it builds on this module's helpers

    telegram_fair_list.register(application, GROUP)

    async def start(app: Application) -> None:
        fx.tasks = start_delivery(app.bot, sender, outbox, storage, progress_interval)

    async def stop(_app: Application) -> None:
        await stop_delivery(sender, fx.tasks)
        fx.tasks = []

    application.post_init = chain(application.post_init, start)
    application.post_shutdown = chain(stop, application.post_shutdown)
