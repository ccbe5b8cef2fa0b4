"""Every conversation people have with the bot, as flows of the core's engine (``bot.core.flow``).

These flows use the storage and the staff services, so they live outside ``bot.core`` (which
imports no database); like the core they import no channel library. ``ChatApp`` composes them
with the worker's interview behind one router; each channel adapter only translates.
"""
from bot.flows.app import ChatApp
from bot.flows.deps import Deps

__all__ = ["ChatApp", "Deps"]
