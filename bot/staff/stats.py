"""What /stats counts: stored interviews in a grant's places, their claimable subsidies and amounts,
and how far the claims got (uptake: eligible, applied, received), also as the data of the /stats
chart (chart_data).

A subsidy whose document sets no figure is counted as such (``unpriced``), never as 0 yuan;
received money sums the amounts people entered, never a document's figure.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlmodel import col

from bot.core.errors import InputError
from bot.staff.assessment import facts_of
from bot.staff.claims import (
    APPLIED,
    RECEIVED,
    ClaimMark,
    marks_for_applicants,
    marks_for_workers,
    rule_catalogue,
    rule_title,
)
from bot.staff.context import StaffContext
from bot.staff.models import ApplicantRow, stored_id
from bot.staff.roles import ADMIN, Grant
from bot.staff.stats_chart import ChartData, CountyUptake, Deadline
from bot.storage.tables import ConversationRow


@dataclass
class Money:
    """Claimable subsidies of a group: how many, the yuan of those with a figure, how many without."""

    claims: int = 0
    yuan: int = 0
    unpriced: int = 0

    def add(self, amount: dict[str, Any] | None) -> None:
        """One more claimable subsidy (``amount`` as the evaluator gives it)."""
        self.claims += 1
        figure = (amount or {}).get("yuan")
        if figure is None:
            self.unpriced += 1
        else:
            self.yuan += int(figure)


@dataclass
class Received:
    """Subsidies marked 已到账: how many, the yuan people entered, how many without an amount."""

    claims: int = 0
    yuan: Decimal = Decimal(0)
    unentered: int = 0

    def add(self, mark: ClaimMark) -> None:
        """One more received subsidy."""
        self.claims += 1
        if mark.amount is None:
            self.unentered += 1
        else:
            self.yuan += mark.amount


@dataclass
class Uptake:
    """How far a group's subsidies got: eligible (claimable now, or already applied for or
    received), applied (marked 已申请 or 已到账, with the documents' figures) and received."""

    eligible: Money = field(default_factory=Money)
    applied: Money = field(default_factory=Money)
    received: Received = field(default_factory=Received)

    def add(self, amount: dict[str, Any] | None, mark: ClaimMark | None) -> None:
        """One subsidy of one person: the document's amount, and its mark if any."""
        self.eligible.add(amount)
        if mark is not None and mark.status in (APPLIED, RECEIVED):
            self.applied.add(amount)
        if mark is not None and mark.status == RECEIVED:
            self.received.add(mark)


class Interview(NamedTuple):
    """One stored interview: the home county, the answers, and the claim marks of that person."""

    county: str
    facts: dict[str, Any]
    marks: dict[str, ClaimMark]


@dataclass
class Tally:
    """People per home county; claimable subsidies and uptake per county and per policy title."""

    people: Counter[str] = field(default_factory=Counter)
    counties: dict[str, Money] = field(default_factory=dict)
    policies: dict[str, Money] = field(default_factory=dict)
    county_uptake: dict[str, Uptake] = field(default_factory=dict)
    policy_uptake: dict[str, Uptake] = field(default_factory=dict)
    deadlines: set[tuple[str, date]] = field(default_factory=set)   # (policy title, claim deadline)

    def add(self, county: str, results: list[Any], marks: dict[str, ClaimMark] | None = None) -> None:
        """Count one interviewed person, their claimable worker subsidies and how far each got."""
        marks = marks or {}
        self.people[county] += 1
        self.counties.setdefault(county, Money())
        uptake = self.county_uptake.setdefault(county, Uptake())
        seen: set[str] = set()
        for result in results:
            if getattr(result, "beneficiary", "worker") != "worker":
                continue
            mark = marks.get(result.id)
            if result.claimable is True:
                self.counties[county].add(result.amount)
                self.policies.setdefault(result.title, Money()).add(result.amount)
                if getattr(result, "claim_deadline", None):
                    self.deadlines.add((result.title, result.claim_deadline))
            elif mark is None or mark.status not in (APPLIED, RECEIVED):
                continue
            seen.add(result.id)
            uptake.add(result.amount, mark)
            self.policy_uptake.setdefault(result.title, Uptake()).add(result.amount, mark)
        for rule, mark in sorted(marks.items()):  # applied for; the answers no longer reach it
            if rule not in seen and mark.status in (APPLIED, RECEIVED):
                info = rule_catalogue().get(rule)
                amount = info.amount if info else None
                uptake.add(amount, mark)
                self.policy_uptake.setdefault(rule_title(rule), Uptake()).add(amount, mark)

    def uptake_lists(self) -> tuple[list[tuple[str, Uptake]], list[tuple[str, Uptake]]]:
        """(county, uptake) and (policy title, uptake) with something eligible, most first."""
        def order(item: tuple[str, Uptake]) -> tuple[int, str]:
            return -item[1].eligible.claims, item[0]

        return (sorted(((c, u) for c, u in self.county_uptake.items() if u.eligible.claims), key=order),
                sorted(((t, u) for t, u in self.policy_uptake.items() if u.eligible.claims), key=order))

    def by_county(self) -> list[CountyUptake]:
        """Eligible / applied / received per home county, most eligible first, then by name."""
        rows = [CountyUptake(county, u.eligible.claims, u.applied.claims, u.received.claims)
                for county, u in self.county_uptake.items()]
        return sorted(rows, key=lambda row: (-row.eligible, row.county))


def in_scope(grant: Grant, ctx: StaffContext, county: str) -> str | None:
    """The county's full name when the grant covers it (admins: every county)."""
    try:
        place = ctx.resolve_county(county)
    except InputError:
        return None
    if grant.role == ADMIN or place.name in grant.counties or place.city in grant.cities:
        return place.name
    return None


def interviews(ctx: StaffContext, grant: Grant) -> list[Interview]:
    """Every stored interview with a home county in the grant's places: workers' own (with their
    own claim marks) and applicants' (with the marks their coordinators made)."""
    found: list[Interview] = []
    workers: list[tuple[str, dict[str, Any], int]] = []
    applicants: list[tuple[str, dict[str, Any], int]] = []
    with ctx.transaction() as session:
        for key, stored in session.execute(select(col(ConversationRow.key), col(ConversationRow.state))
                                           .where(col(ConversationRow.key).like("tg:%"))):
            if isinstance(stored, (str, bytes)):  # JSON the driver left undecoded
                stored = json.loads(stored)
            state: dict[str, Any] = stored if isinstance(stored, dict) else {}
            facts: dict[str, Any] = dict(state.get("facts") or {})
            county = facts.get("origin_county") and in_scope(grant, ctx, str(facts["origin_county"]))
            user = str(key).removeprefix("tg:")
            if county:  # a key that names no user id counts, with no marks
                workers.append((county, facts, int(user) if user.isdigit() else 0))
        for row in session.scalars(select(ApplicantRow)):
            county = (row.state or {}).get("facts") and in_scope(grant, ctx, row.county)
            if county:
                applicants.append((county, facts_of(row.state, row.county), stored_id(row.id)))
        worker_marks = marks_for_workers(session, [uid for _, _, uid in workers if uid])
        applicant_marks = marks_for_applicants(session, [aid for _, _, aid in applicants])
    found += [Interview(county, facts, worker_marks.get(uid, {})) for county, facts, uid in workers]
    found += [Interview(county, facts, applicant_marks[aid]) for county, facts, aid in applicants]
    return found


def tally(ctx: StaffContext, grant: Grant, as_of: date) -> Tally:
    """Evaluate every stored interview in the grant's places as of ``as_of``, with claim marks."""
    counts = Tally()
    for county, facts, marks in interviews(ctx, grant):
        try:
            results = ctx.evaluate(facts, as_of)
        except InputError:
            results = []
        counts.add(county, results, marks)
    return counts


def county_uptake(ctx: StaffContext, grant: Grant, as_of: date) -> list[CountyUptake]:
    """Per home county in the grant's places: subsidies eligible, applied for, received."""
    return tally(ctx, grant, as_of).by_county()


def chart_data(counts: Tally, as_of: date) -> ChartData:
    """What the /stats chart draws from a tally: eligible, applied and received per county, and
    the claim deadlines of the claimable subsidies."""
    return ChartData(
        counties=counts.by_county(),
        deadlines=[Deadline(title, day) for title, day in sorted(counts.deadlines, key=lambda d: (d[1], d[0]))],
        as_of=as_of)
