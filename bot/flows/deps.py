"""What the flows use: storage, staff services, the clock and the bot's public name."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.config import POLICY_ROOT
from bot.core.flow import Env
from bot.staff import StaffContext
from bot.storage import Storage

DEFAULT_BOT_NAME = "bangfutong_bot"


@dataclass
class Deps:
    """The composition root fills this once; flows read it through ``Env.deps``."""

    storage: Storage
    staff: StaffContext | None
    today: Callable[[], date]
    conversation: Any = None          # the interview core (a module); tests inject a double
    bot_username: str = DEFAULT_BOT_NAME   # for t.me deep links; a channel sets the real one
    forget_hooks: tuple[Callable[[int], Any], ...] = ()
    outbox: Any = None                # the job-fair outbox, where fairs are enabled
    policy_root: Path = POLICY_ROOT   # where rules/ and knowledge/ are deployed (admin uploads)

    def forget(self, user_id: int) -> None:
        """Erase everything stored about the user, here and in the other parts' tables (hooks)."""
        self.storage.delete_user(user_id)
        if self.staff is not None:   # roles, invites, links, claims, audit lines
            from bot.staff import forget_user

            forget_user(self.staff, user_id)
        for hook in self.forget_hooks:
            hook(user_id)
        self.storage.scrub()  # after every part erased its rows (SQLite: WAL checkpoint)

    def staff_ctx(self) -> StaffContext:
        """The staff services (flows for staff roles only run where they are configured)."""
        if self.staff is None:
            raise RuntimeError("staff services are not configured")
        return self.staff


def deps_of(env: Env) -> Deps:
    """The Deps a flow runs with."""
    deps = env.deps
    if not isinstance(deps, Deps):
        raise TypeError("flows need bot.flows.Deps in Env.deps")
    return deps
