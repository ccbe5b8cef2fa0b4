"""Re-evaluate every saved person after the rules changed; tell those who gained a subsidy.

A saved person (a *subject*) is a worker whose own interview reached the results
(``conversations`` ``tg:<id>``, phase ``done``) or an applicant a coordinator registered with
answers. Each is evaluated with the given rule set as of a day and compared with their current
assessment (``bot.storage.assessments``): subsidies gained, lost, or with another amount, each
with its reason. Unless it is a dry run, the new assessments are stored and each subsidy gained
is announced once per (subject, rule) through the broadcast outbox, in the same transaction
that records it as told: the worker, and for an applicant their coordinator (and the
applicant's own Telegram account when linked). A subsidy lost is never announced (a period
that ended is not news to repeat), and a rerun finds nothing new to send.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from bot.core.errors import InputError, RulesError
from bot.core.reassessment import (
    GAINED,
    LOST,
    Movement,
    amount_text,
    claims_of,
    compare,
    movement_line,
)
from bot.core.ruleset import RulesDiff, RuleSet, diff_rule_sets, rule_set_from_files
from bot.storage import assessments as store
from bot.storage.tables import ConversationRow, UserRow

WORKER_PREFIX = "tg:"


@dataclass(frozen=True)
class Subject:
    """One saved person: their answers and whom to tell."""

    key: str                         # assessments subject: worker:<id> | applicant:<id>
    kind: str                        # worker | applicant
    id: int
    name: str
    facts: dict
    chat: tuple[int, int] | None     # (user_id, chat_id) of the person's own Telegram, if any
    coordinator: tuple[int, int] | None = None


@dataclass
class PersonChange:
    """What changed for one subject."""

    subject: Subject
    moves: list[Movement]


@dataclass
class ReassessReport:
    """The outcome of one reassess run."""

    version: str
    as_of: date
    dry_run: bool
    checked: int = 0
    first: int = 0                                   # subjects with no earlier assessment
    changed: list[PersonChange] = field(default_factory=list)
    invalid: list[tuple[Subject, str]] = field(default_factory=list)
    to_notify: list[tuple[str, str]] = field(default_factory=list)   # (subject, rule) newly told
    messages: list[tuple[int, int, str]] = field(default_factory=list)  # (user_id, chat_id, text)
    notice_id: int | None = None

    def count(self, kind: str) -> int:
        """How many movements of a kind."""
        return sum(1 for person in self.changed for m in person.moves if m.kind == kind)

    def lines(self) -> list[str]:
        """The report in Chinese, one line per change."""
        from bot.core.render import text

        out = [text("reassess.header", version=self.version, as_of=self.as_of)]
        for person in self.changed:
            who = _who(person.subject)
            out += [movement_line(who, move) for move in person.moves]
        for subject, error in self.invalid:
            out.append(text("reassess.invalid", who=_who(subject), error=error))
        if not self.changed:
            out.append(text("reassess.no_change"))
        out.append(text("reassess.summary", checked=self.checked, changed=len(self.changed),
                        gained=self.count(GAINED), lost=self.count(LOST), amounts=self.count("amount"),
                        first=self.first, invalid=len(self.invalid), dry=self.dry_run,
                        messages=len(self.messages), notices=len(self.to_notify)))
        return out


def _who(subject: Subject) -> str:
    from bot.core.render import text

    return text(f"reassess.who.{subject.kind}", name=subject.name, id=subject.id)


def _chat(chats: dict[int, int], user_id: int | None) -> tuple[int, int] | None:
    return None if user_id is None else (int(user_id), chats.get(int(user_id), int(user_id)))


def subjects(db: Any) -> list[Subject]:
    """Every saved person: workers whose interview reached the results, applicants with answers."""
    from bot.staff.assessment import facts_of
    from bot.staff.models import ApplicantRow, table_of

    users = {int(r.user_id): (int(r.chat_id), r.name) for r in db.execute(select(table_of(UserRow)))}
    chats = {uid: chat for uid, (chat, _) in users.items()}
    found = []
    conversations = table_of(ConversationRow)
    query = select(conversations).where(conversations.c.key.startswith(WORKER_PREFIX))
    for row in db.execute(query.order_by(conversations.c.key)):
        state, raw_id = row.state or {}, row.key[len(WORKER_PREFIX):]
        if not raw_id.isdigit() or state.get("phase") != "done" or not state.get("facts"):
            continue
        user_id = int(raw_id)
        found.append(Subject(store.worker_subject(user_id), "worker", user_id,
                             users.get(user_id, (0, ""))[1], dict(state["facts"]), _chat(chats, user_id)))
    people = table_of(ApplicantRow)
    for row in db.execute(select(people).order_by(people.c.id)):
        if not (row.state or {}).get("facts"):
            continue
        found.append(Subject(store.applicant_subject(row.id), "applicant", int(row.id), row.name,
                             facts_of(row.state, row.county), _chat(chats, row.telegram_id),
                             _chat(chats, row.coordinator_id)))
    return found


def evaluate_subject(subject: Subject, rules: RuleSet, as_of: date) -> list[Any]:
    """The subject's results under a rule set, as the bot would show them (worker audience)."""
    from bot.core.evaluator import evaluate
    from bot.core.facts import normalise_facts

    return evaluate(normalise_facts(dict(subject.facts), as_of), as_of, "worker", rules=rules.rules,
                    keep_out_of_scope=False)


class _OldSets:
    """Rule sets of older versions (from their snapshots) and their diffs to the new set, once each."""

    def __init__(self, db: Any, new: RuleSet) -> None:
        self.db, self.new = db, new
        self.diffs: dict[str, RulesDiff | None] = {new.version: diff_rule_sets(new, new)}

    def diff(self, version: str) -> RulesDiff | None:
        if version not in self.diffs:
            kept = store.load_snapshot(self.db, version)
            try:
                old = rule_set_from_files(kept[1]) if kept and kept[0] == version else None
            except (RulesError, InputError):
                old = None
            self.diffs[version] = diff_rule_sets(old, self.new) if old is not None else None
        return self.diffs[version]


def reassess(engine: Engine, rules: RuleSet, as_of: date, *, dry_run: bool = False,
             now: Callable[[], datetime] | None = None) -> ReassessReport:
    """Re-evaluate every saved person with ``rules`` as of ``as_of``; see the module docstring."""
    moment = (now or (lambda: datetime.now(UTC)))()
    report = ReassessReport(rules.version, as_of, dry_run)
    with engine.connect() as db:
        people = subjects(db)
        current = store.latest(db)
        told = store.notified(db)
        old_sets = _OldSets(db, rules)
        new_rows = []
        for subject in people:
            try:
                results = evaluate_subject(subject, rules, as_of)
            except InputError as error:
                report.invalid.append((subject, error.one_line().splitlines()[0]))
                continue
            report.checked += 1
            claims = claims_of(results)
            new_rows.append(store.Assessment(subject.key, rules.version, as_of, claims, "reassess"))
            before = current.get(subject.key)
            if before is None:
                report.first += 1
                continue
            moves = compare(before.claims, before.rules_version, results, rules,
                            old_sets.diff(before.rules_version))
            if moves:
                report.changed.append(PersonChange(subject, moves))
            report.to_notify += [(subject.key, m.rule) for m in moves
                                 if m.told and (subject.key, m.rule) not in told]
    report.messages = _messages(report)
    if dry_run:
        return report
    from bot.broadcast.outbox import insert_notice
    from bot.core.render import text

    with engine.begin() as db:
        if rules.files:  # this version can be diffed against later
            store.save_snapshot(db, rules.version, rules.files, moment)
        for row in new_rows:
            store.record(db, row, moment)
        store.mark_notified(db, report.to_notify, rules.version, moment)
        report.notice_id = insert_notice(db, text("reassess.notice_title", version=rules.version),
                                         report.messages, moment)
    return report


def _messages(report: ReassessReport) -> list[tuple[int, int, str]]:
    """One message per recipient with every newly gained subsidy they are told about."""
    from bot.core.render import render

    wanted = set(report.to_notify)
    own: dict[tuple[int, int], list[dict]] = {}
    about: dict[tuple[int, int], list[dict]] = {}
    for person in report.changed:
        subject = person.subject
        items = [{"title": m.title, "amount": amount_text(m.amount)} for m in person.moves
                 if m.told and (subject.key, m.rule) in wanted]
        if not items:
            continue
        if subject.chat is not None:
            own.setdefault(subject.chat, []).extend(items)
        if subject.coordinator is not None:
            about.setdefault(subject.coordinator, []).append({"name": subject.name, "claims": items})
    messages = []
    for recipient in sorted(set(own) | set(about)):
        body = render("reassess_notice", own=own.get(recipient, []), applicants=about.get(recipient, []))
        messages.append((recipient[0], recipient[1], body))
    return messages
