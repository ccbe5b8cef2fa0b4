"""What /stats counts: stored interviews in a grant's places, their claimable subsidies and amounts,
and the same as the data of the /stats chart (chart_data).

A subsidy whose document sets no figure is counted as such (``unpriced``), never as 0 yuan.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from bot.core.errors import InputError
from bot.staff.assessment import facts_of
from bot.staff.context import StaffContext
from bot.staff.models import ApplicantRow
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
class Tally:
    """People per home county; claimable subsidies per county and per policy title."""

    people: Counter[str] = field(default_factory=Counter)
    counties: dict[str, Money] = field(default_factory=dict)
    policies: dict[str, Money] = field(default_factory=dict)
    deadlines: set[tuple[str, date]] = field(default_factory=set)   # (policy title, claim deadline)

    def add(self, county: str, results: list[Any]) -> None:
        """Count one interviewed person and their claimable worker subsidies."""
        self.people[county] += 1
        self.counties.setdefault(county, Money())
        for result in results:
            if getattr(result, "beneficiary", "worker") != "worker" or result.claimable is not True:
                continue
            self.counties[county].add(result.amount)
            self.policies.setdefault(result.title, Money()).add(result.amount)
            if getattr(result, "claim_deadline", None):
                self.deadlines.add((result.title, result.claim_deadline))


def in_scope(grant: Grant, ctx: StaffContext, county: str) -> str | None:
    """The county's full name when the grant covers it (admins: every county)."""
    try:
        place = ctx.resolve_county(county)
    except InputError:
        return None
    if grant.role == ADMIN or place.name in grant.counties or place.city in grant.cities:
        return place.name
    return None


def interviews(ctx: StaffContext, grant: Grant) -> list[tuple[str, dict[str, Any]]]:
    """(county, facts) of every stored interview with a home county: workers' own and applicants'."""
    found: list[tuple[str, dict[str, Any]]] = []
    state: dict[str, Any] | None  # a stored conversation (JSON)
    with ctx.transaction() as session:
        for state in session.scalars(select(col(ConversationRow.state))
                                     .where(col(ConversationRow.key).like("tg:%"))):
            facts: dict[str, Any] = dict((state or {}).get("facts") or {})
            county = facts.get("origin_county") and in_scope(grant, ctx, str(facts["origin_county"]))
            if county:
                found.append((county, facts))
        for row in session.scalars(select(ApplicantRow)):
            county = (row.state or {}).get("facts") and in_scope(grant, ctx, row.county)
            if county:
                found.append((county, facts_of(row.state, row.county)))
    return found


def tally(ctx: StaffContext, grant: Grant, as_of: date) -> Tally:
    """Evaluate every stored interview in the grant's places as of ``as_of``."""
    counts = Tally()
    for county, facts in interviews(ctx, grant):
        try:
            results = ctx.evaluate(facts, as_of)
        except InputError:
            results = []
        counts.add(county, results)
    return counts


def chart_data(counts: Tally, as_of: date) -> ChartData:
    """What the /stats chart draws from a tally: claimable subsidies per county (applied and
    received are not recorded yet: 0), and the claim deadlines of those subsidies."""
    return ChartData(
        counties=[CountyUptake(county, money.claims) for county, money in counts.counties.items()],
        deadlines=[Deadline(title, day) for title, day in sorted(counts.deadlines, key=lambda d: (d[1], d[0]))],
        as_of=as_of)
