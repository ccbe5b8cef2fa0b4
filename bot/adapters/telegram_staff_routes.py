"""Route staff buttons and the staff chat mode; wire the staff commands into the Application."""
from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.adapters import telegram_applicants as applicants
from bot.adapters import telegram_coordinator as coordinator
from bot.adapters.telegram_services import per_user, services, user_id_of
from bot.adapters.telegram_staff import PREFIX, answer_errors, help_text, role, say, set_mode
from bot.core.render import text
from bot.staff import WORKER

STAFF_COMMANDS = {
    "apply": coordinator.on_apply,
    "applicants": applicants.on_applicants, "service": applicants.on_service,
    "ledger": applicants.on_ledger, "done": coordinator.on_done,
}


AFTER_COMMANDS = 1  # handler group run after every command's own handler (group 0)


def add_staff_handlers(application: Application) -> None:
    """Register the staff commands (before the worker's text handler); any other command ends /apply."""
    for name, handler in STAFF_COMMANDS.items():
        application.add_handler(CommandHandler(name, handler))
    application.add_handler(MessageHandler(filters.COMMAND, _command_ends_registration),
                            group=AFTER_COMMANDS)


@per_user
async def _command_ends_registration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command other than /apply leaves an open registration: its next text is no name."""
    command = (update.message.text if update.message and update.message.text else "").split()[0]
    if command.split("@")[0] != "/apply":
        coordinator.end_registration(context, user_id_of(update))


async def _dispatch(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> None:
    """Act on one ``stf:`` button; every action re-checks the role in the service layer."""
    action, _, rest = data.removeprefix(PREFIX).partition(":")
    if action == "leave":
        await coordinator.leave(update, context)
    elif action == "skip":
        await coordinator.skip_phone(update, context)
    elif action == "no":
        await say(update, context, text("tgstaff.delete.kept"))
    elif action in ("open", "svc", "del", "dely", "lnk") and rest.isdigit():
        step = {"open": coordinator.start_behalf, "svc": applicants.ask_service,
                "del": applicants.ask_delete, "dely": applicants.confirm_delete,
                "lnk": applicants.give_link}[action]
        await step(update, context, int(rest))
    elif action == "find":
        await applicants.ask_name(update, context)
    elif action == "pg":
        await applicants.turn_page(update, context, rest)
    elif action == "svk":
        await applicants.record_kind(update, context, rest)
    elif action == "svu":
        await applicants.undo_service(update, context, rest)
    else:
        await say(update, context, text("telegram.stale_button"))


async def on_staff_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> None:
    """A staff button: workers are refused outright, the rest go to the services (which check)."""
    if role(context, user_id_of(update)) == WORKER:
        await say(update, context, text("staff.denied"))
        return
    await answer_errors(lambda u, c: _dispatch(u, c, data), update, context)


async def mode_text(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: str) -> bool:
    """Typed input for the coordinator's open flow (a /command only on behalf); False when none."""
    handled = []

    async def run(u: Update, c: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(await coordinator.on_mode_text(u, c, typed, not typed.startswith("/")))

    await answer_errors(run, update, context)
    return not handled or handled[0]


async def mode_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> bool:
    """An interview button for the applicant being interviewed; False when not acting on behalf."""
    handled = []

    async def run(u: Update, c: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(await coordinator.on_mode_button(u, c, data))

    await answer_errors(run, update, context)
    return not handled or handled[0]


def leave_mode(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> None:
    """End any coordinator flow (a fresh /start is the worker's own conversation)."""
    set_mode(services(context), user_id, {})


def staff_help(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> str | None:
    """The /help text of a privileged role, or None for a worker (the core's help then)."""
    user_role = role(context, user_id)
    return None if user_role == WORKER else help_text(user_role)

