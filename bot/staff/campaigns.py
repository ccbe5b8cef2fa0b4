"""Deadline campaigns (政策找人): find the people of a staff member's places whose saved answers
make a subsidy claimable today and who have not marked it, and tell them through the outbox.

Workers (their own interview) get a personal message; an applicant linked to a Telegram account
gets it there; every other applicant goes on a call list sent to their coordinator. Each person
is told about a subsidy at most once a week (``campaign_contacts``), and anyone who marked the
subsidy (已申请, 已到账, 被拒, 不想申请) is left out.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select

from bot.core.errors import InputError
from bot.core.reassessment import amount_text
from bot.core.render import render, text
from bot.staff.audit import record
from bot.staff.claims import marks_for_applicants, marks_for_workers
from bot.staff.context import StaffContext
from bot.staff.reassess import Subject, subjects
from bot.staff.roles import ADMIN, STAFF, Grant, require
from bot.staff.stats import in_scope
from bot.storage.assessments import CONTACTS

QUIET_DAYS = 7   # one campaign per subsidy and person at most once a week


@dataclass(frozen=True)
class Target:
    """A person who can claim the subsidy today and has not marked it."""

    subject: Subject
    result: Any


@dataclass
class Campaign:
    """What a campaign would send: the subsidy, who gets a message, who is on a call list."""

    rule: str
    title: str
    deadline: date | None
    amount: str
    targets: list[Target] = field(default_factory=list)
    recent: int = 0          # told this week already: left out
    marked: int = 0          # marked the subsidy: left out

    @property
    def by_telegram(self) -> list[Target]:
        """Those the bot can write to (a worker, or an applicant linked to his account)."""
        return [t for t in self.targets if t.subject.chat is not None]

    @property
    def to_call(self) -> list[Target]:
        """Applicants without Telegram: their coordinator calls them."""
        return [t for t in self.targets if t.subject.chat is None and t.subject.coordinator]

    def preview(self) -> str:
        """The message a worker gets, as he will see it."""
        return message(self.targets[0].result if self.targets else None, self)


def message(result: Any, campaign: Campaign) -> str:
    """The personal message of a campaign."""
    return render("campaign_message", title=campaign.title, amount=campaign.amount,
                  deadline=campaign.deadline, how=getattr(result, "how_to_claim", ""),
                  bring=list(getattr(result, "bring", []) or []))


def _grant(ctx: StaffContext, actor_id: int, action: str) -> Grant:
    with ctx.transaction() as session:
        return require(session, ctx, actor_id, STAFF, ADMIN, action=action)


def _people(ctx: StaffContext, grant: Grant) -> list[Subject]:
    """Every saved person whose home county is in the grant's places."""
    with ctx.engine.connect() as db:
        found = subjects(db)
    return [s for s in found if in_scope(grant, ctx, str(s.facts.get("origin_county") or ""))]


def _recently_told(engine: Engine, since: datetime) -> set[tuple[str, str]]:
    with engine.connect() as db:
        rows = db.execute(select(CONTACTS.c.subject, CONTACTS.c.rule).where(CONTACTS.c.sent_at >= since))
        return {(row.subject, row.rule) for row in rows}


def _marks(ctx: StaffContext, people: list[Subject]) -> dict[str, set[str]]:
    """Subject key -> the rules the person marked (any mark: applied, received, rejected, declined)."""
    with ctx.transaction() as session:
        workers = marks_for_workers(session, [p.id for p in people if p.kind == "worker"])
        applicants = marks_for_applicants(session, [p.id for p in people if p.kind == "applicant"])
    found: dict[str, set[str]] = {}
    for person in people:
        source = workers if person.kind == "worker" else applicants
        found[person.key] = set(source.get(person.id, {}))
    return found


def choices(ctx: StaffContext, actor_id: int, as_of: date) -> list[Campaign]:
    """Every worker subsidy claimable today for someone in the actor's places, with its people:
    those with a claim deadline first (soonest first), then the most people."""
    grant = _grant(ctx, actor_id, "campaign.read")
    people = _people(ctx, grant)
    marks = _marks(ctx, people)
    recent = _recently_told(ctx.engine, ctx.now() - timedelta(days=QUIET_DAYS))
    found: dict[str, Campaign] = {}
    for person in people:
        try:
            results = ctx.evaluate(person.facts, as_of)
        except InputError:
            continue
        for result in results:
            if result.claimable is not True or getattr(result, "beneficiary", "worker") != "worker":
                continue
            campaign = found.setdefault(result.id, Campaign(
                result.id, result.title, result.claim_deadline, amount_text(result.amount)))
            if result.id in marks.get(person.key, set()):
                campaign.marked += 1
            elif (person.key, result.id) in recent:
                campaign.recent += 1
            elif person.chat is not None or person.coordinator is not None:
                campaign.targets.append(Target(person, result))
    far = date.max
    return sorted(found.values(), key=lambda c: (c.deadline or far, -len(c.targets), c.title))


def send(ctx: StaffContext, actor_id: int, campaign: Campaign) -> int:
    """Queue the messages and the coordinators' call lists in one transaction with the record of
    who was told (so nobody is told twice in a week); return the number of messages queued."""
    from bot.broadcast.outbox import insert_notice

    _grant(ctx, actor_id, "campaign.send")
    now = ctx.now()
    messages: list[tuple[int, int, str]] = []
    for target in campaign.by_telegram:
        assert target.subject.chat is not None
        user_id, chat_id = target.subject.chat
        messages.append((user_id, chat_id, message(target.result, campaign)))
    calls: dict[tuple[int, int], list[str]] = defaultdict(list)
    for target in campaign.to_call:
        assert target.subject.coordinator is not None
        calls[target.subject.coordinator].append(target.subject.name)
    told_users = {m[0] for m in messages}
    for (user_id, chat_id), names in sorted(calls.items()):
        if user_id in told_users:   # one message per user per batch: the call list goes in his
            continue
        messages.append((user_id, chat_id, render("campaign_calls", title=campaign.title,
                                                  deadline=campaign.deadline, names=names)))
    told = [t.subject.key for t in campaign.by_telegram + campaign.to_call]
    with ctx.engine.begin() as db:
        batch = insert_notice(db, text("campaign.batch_title", title=campaign.title), messages, now,
                              created_by=actor_id)
        if batch is not None and told:
            db.execute(insert(CONTACTS), [{"subject": key, "rule": campaign.rule, "campaign": batch,
                                           "sent_at": now} for key in told])
    with ctx.transaction() as session:
        record(session, ctx, actor_id, "campaign.send", f"rule:{campaign.rule}",
               {"messages": len(messages), "people": len(told)})
    return len(messages)
