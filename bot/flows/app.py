"""The chat application: one router over every flow, the same for every channel.

An adapter turns what the user did into an :class:`~bot.core.flow.Input`, loads the chat's
record (:meth:`ChatApp.load`), calls :meth:`ChatApp.handle` and shows the returned turn; it
stores ``turn.state`` under :meth:`ChatApp.key` (Telegram: in the transaction that marks the
update done). Domain events (reminders accepted) are applied here; channel events
(``send_file``, ``notify``) are left in ``turn.events`` for the adapter.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.core.flow import Env, Flow, Input, Router
from bot.core.home import InterviewHome
from bot.core.replies import Turn
from bot.flows.deps import Deps
from bot.storage import Reminder, Storage

WORKER = "worker"


def default_flows() -> list[Flow]:
    """Every flow of the bot (imported here, so the list is in one place)."""
    from bot.flows.account import DeleteFlow, MeFlow, SubscribeFlow, UnsubscribeFlow
    from bot.flows.admin import InviteFlow, RolesFlow
    from bot.flows.applicants import ApplicantsFlow, LedgerFlow
    from bot.flows.campaign import CampaignFlow
    from bot.flows.claims import ClaimsFlow
    from bot.flows.coordinator import BehalfFlow, RegisterFlow
    from bot.flows.fairs import FairFlow, FairListFlow, StatsFlow
    from bot.flows.notice import NoticeFlow
    from bot.flows.rules_upload import RulesUploadFlow
    from bot.flows.sheet import SheetFlow
    from bot.flows.start import HelpFlow, StartFlow

    return [StartFlow(), HelpFlow(), SubscribeFlow(), UnsubscribeFlow(), MeFlow(), DeleteFlow(),
            RegisterFlow(), BehalfFlow(), ApplicantsFlow(), LedgerFlow(), InviteFlow(), RolesFlow(),
            FairFlow(), FairListFlow(), StatsFlow(), SheetFlow(), ClaimsFlow(), NoticeFlow(),
            CampaignFlow(), RulesUploadFlow()]


class ChatApp:
    """The router, the flows and their services; ``prefix`` names the channel's record keys."""

    def __init__(self, deps: Deps, flows: Iterable[Flow] | None = None, prefix: str = "tg:",
                 *, reachable: bool = True) -> None:
        self.deps = deps
        self.prefix = prefix
        # A channel that cannot reach the user later (the terminal) keeps no reminders and no
        # assessments (reassess would have nobody to tell).
        self.reachable = reachable
        self.router = Router(InterviewHome(deps.conversation), default_flows() if flows is None else flows)

    def key(self, user_id: int) -> str:
        """Where the chat's record is stored."""
        return f"{self.prefix}{user_id}"

    def load(self, user_id: int) -> dict[str, Any] | None:
        """The chat's record (interview + active flow), read on every input."""
        return self.deps.storage.load_conversation(self.key(user_id))

    def save(self, user_id: int, record: dict[str, Any]) -> None:
        """Store the chat's record (adapters without an inbox transaction)."""
        self.deps.storage.save_conversation(self.key(user_id), record)

    def role(self, user_id: int) -> str:
        """The user's role, read from the database on every input."""
        if self.deps.staff is None:
            return WORKER
        from bot.staff import role_of

        return role_of(self.deps.staff, user_id).role

    def env(self, user_id: int, as_of: date | None = None) -> Env:
        """The environment of one input."""
        return Env(as_of=as_of or self.deps.today(), role=self.role(user_id), deps=self.deps,
                   user_id=user_id)

    def handle(self, inp: Input, record: dict[str, Any] | None) -> Turn:
        """One input: the router's turn, with the domain events applied. ``record`` is not
        changed (flows work on a copy), so the caller can compare it with ``turn.state``."""
        turn = self.router.route(self.env(inp.user_id), copy.deepcopy(record), inp)
        for event in turn.events:
            if not self.reachable:
                continue
            if event.get("type") == "reminders_accepted":   # idempotent: safe to replay
                store_reminders(self.deps.storage, inp.user_id, inp.chat_id, event)
            elif event.get("type") == "results":   # idempotent too: an unchanged result adds nothing
                self.deps.storage.record_assessment(inp.user_id, event)
        return turn

    def to_store(self, user_id: int, turn: Turn,
                 before: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
        """The records to store after a turn: none once the user was erased (/delete), and none
        when the record is what it was (``before``: a refused command writes nothing)."""
        if any(event.get("type") == "forgotten" for event in turn.events):
            return {}
        if turn.state == (before or {}):
            return {}
        return {self.key(user_id): turn.state}


def file_content(event: dict[str, Any]) -> bytes:
    """The bytes of a ``send_file`` event: given, or made now by its ``make`` (a flow defers a
    slow rendering — a PDF of many pages, a chart — so a channel can run it off its event loop)."""
    data = event.get("data")
    if data is None:
        data = event["make"]()
    return bytes(data)


def _due(value: object) -> date:
    """A reminder's due date from a date or an ISO string."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def store_reminders(storage: Storage, user_id: int, chat_id: int, event: dict[str, Any]) -> int:
    """Store the reminders of a ``reminders_accepted`` event; return how many were new.

    Idempotent (one reminder per user, rule, kind and day), so a replayed update adds none.
    """
    added = 0
    for plan in event.get("reminders", []):
        reminder = Reminder(
            user_id=user_id, chat_id=chat_id,
            rule=str(plan.get("rule") or plan.get("rule_id") or plan.get("id") or ""),
            kind=str(plan.get("kind", "")), due=_due(plan.get("due") or plan.get("on")),
            text=str(plan.get("text", "")),
            extra={k: v for k, v in plan.items() if isinstance(v, (str, int, float, bool))})
        added += storage.add_reminder(reminder)
    return added
