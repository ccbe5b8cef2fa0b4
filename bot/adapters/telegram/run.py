"""Run the Application until SIGTERM/SIGINT: start-up that waits for the Bot API, polling that
survives errors, and a stop that takes at most ``STOP_WITHIN`` seconds.

PTB's ``run_polling`` stops polling for good on one 401 and its start-up exits on an
unreachable server; this loop logs one clear line per failure and retries with backoff.
Updates go through ``application.update_queue`` (the inbox records them) before the next
getUpdates acknowledges them.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from urllib.parse import urlparse

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.config import Settings

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds a getUpdates long poll may wait for updates
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0  # seconds, doubled per failure in a row
STOP_WITHIN = 4.0  # seconds from SIGTERM to exit (handlers finish the update they are on)


class Backoff:
    """Delays that double per failure in a row, reset by a success."""

    def __init__(self, first: float = BACKOFF_FIRST, most: float = BACKOFF_MAX) -> None:
        """Start with no failures."""
        self.first, self.most, self.failures = first, most, 0

    def next(self) -> float:
        """The delay after one more failure."""
        self.failures += 1
        return min(self.most, self.first * 2 ** (self.failures - 1))

    def reset(self) -> None:
        """A success: the next failure waits ``first`` again."""
        self.failures = 0


def describe(error: TelegramError) -> str:
    """One plain line for a failed call (the token is masked by the logging filter anyway)."""
    if isinstance(error, InvalidToken):
        return "401 Unauthorized: the Bot API refused BOT_TOKEN (revoked or mistyped?)"
    if isinstance(error, Conflict):
        return "409 Conflict: another process polls this bot, or a webhook is set"
    if isinstance(error, RetryAfter):
        return f"429 Too Many Requests: retry after {error.retry_after}"
    return f"{type(error).__name__}: {error.message}"


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` or until stop."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def start_up(application: Application, stop: asyncio.Event) -> bool:
    """initialize + post_init, retried while the Bot API is unreachable; False if stopped first.

    A token the server refuses at start raises InvalidToken (the caller says so and exits).
    """
    backoff = Backoff()
    while not stop.is_set():
        try:
            await application.initialize()  # returns at once when already initialized
            if application.post_init:
                await application.post_init(application)
            return True
        except InvalidToken:
            raise
        except (NetworkError, TimedOut) as error:
            delay = backoff.next()
            log.warning("Bot API unreachable at start (%s); retrying in %.0f s", describe(error), delay)
            await _pause(stop, delay)
    return False


async def poll(application: Application, stop: asyncio.Event) -> None:
    """Long-poll getUpdates until stop; every failure is logged and retried with backoff."""
    bot, backoff, offset = application.bot, Backoff(), None
    while not stop.is_set():
        try:
            updates = await bot.get_updates(offset=offset, timeout=POLL_TIMEOUT,
                                            allowed_updates=Update.ALL_TYPES)
        except TimedOut:
            continue  # a long poll that outlived the HTTP timeout: ask again at once
        except TelegramError as error:
            delay = error.retry_after if isinstance(error, RetryAfter) else backoff.next()
            delay = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            log.warning("getUpdates failed (%s); polling again in %.0f s", describe(error), delay)
            await _pause(stop, delay)
            continue
        if backoff.failures:
            log.info("getUpdates works again after %d failures", backoff.failures)
        backoff.reset()
        try:
            for update in updates:
                await application.update_queue.put(update)  # recorded in the inbox here
                offset = update.update_id + 1
        except Exception:  # the database is unreachable: Telegram keeps what was not recorded
            delay = backoff.next()
            log.exception("could not record an update; polling again in %.0f s", delay)
            await _pause(stop, delay)


async def serve(application: Application, settings: Settings) -> None:
    """Start, serve (webhook or polling) until SIGTERM/SIGINT, stop within ``STOP_WITHIN`` s."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if not await start_up(application, stop):
        return
    await application.start()
    poller = None
    if settings.webhook_url:
        await _start_webhook(application, settings, stop)
    else:
        await _drop_webhook(application)
        poller = asyncio.create_task(poll(application, stop))
    await stop.wait()
    log.info("stopping: unfinished updates stay in the inbox for the next start")
    await _stop(application, poller)


async def _start_webhook(application: Application, settings: Settings, stop: asyncio.Event) -> None:
    """Serve the webhook (setWebhook retried like start-up)."""
    backoff = Backoff()
    assert settings.webhook_url is not None and application.updater is not None
    while not stop.is_set():
        try:
            await application.updater.start_webhook(
                listen=settings.webhook_listen, port=settings.webhook_port,
                url_path=urlparse(settings.webhook_url).path.lstrip("/"),
                webhook_url=settings.webhook_url, secret_token=settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES)
            return
        except (NetworkError, TimedOut) as error:
            delay = backoff.next()
            log.warning("setWebhook failed (%s); retrying in %.0f s", describe(error), delay)
            with contextlib.suppress(Exception):
                await application.updater.stop()
            await _pause(stop, delay)


async def _drop_webhook(application: Application) -> None:
    """Polling and a webhook exclude each other: remove one left from an earlier run (best effort)."""
    try:
        await application.bot.delete_webhook()
    except TelegramError as error:
        log.warning("deleteWebhook failed (%s); polling reports a conflict if one is set",
                    describe(error))


async def _stop(application: Application, poller: asyncio.Task | None) -> None:
    """Stop taking updates, let running handlers finish, shut down: ``STOP_WITHIN`` s in all."""
    try:
        await asyncio.wait_for(_stop_all(application, poller), STOP_WITHIN)
    except TimeoutError:
        log.warning("handlers still running after %.0f s: exiting; the inbox keeps their updates",
                    STOP_WITHIN)


async def _stop_all(application: Application, poller: asyncio.Task | None) -> None:
    """The stop, step by step (bounded by the caller)."""
    if poller is not None:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
    inbox = application.bot_data.get("inbox")
    if inbox is not None:
        await inbox.stop()
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    await application.stop()
    if application.post_shutdown:
        await application.post_shutdown(application)
    await application.shutdown()


def run(application: Application, settings: Settings) -> None:
    """Serve until stopped (blocking)."""
    asyncio.run(serve(application, settings))
