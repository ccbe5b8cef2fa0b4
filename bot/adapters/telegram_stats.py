"""/stats for staff: interviews, claimable subsidies by home county and by policy, fairs and reach."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import col

from bot.core.errors import InputError
from bot.core.render import render
from bot.staff import ADMIN, Grant, StaffContext
from bot.staff.assessment import facts_of
from bot.staff.models import ApplicantRow, stored_id
from bot.storage.tables import ConversationRow

if TYPE_CHECKING:  # telegram_fairs imports this module
    from bot.adapters.telegram_fairs import Fairs


@dataclass
class Tally:
    """People, claimable subsidies and their stated amounts, per county and per policy."""

    people: Counter[str] = field(default_factory=Counter)            # county -> interviews
    claims: Counter[str] = field(default_factory=Counter)            # county -> claimable count
    yuan: Counter[str] = field(default_factory=Counter)              # county -> total yuan
    policies: dict[str, list[int]] = field(  # title -> [n, yuan]
        default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, county: str, results: list[Any]) -> None:
        """Count one interviewed person and their claimable worker subsidies."""
        self.people[county] += 1
        for result in results:
            if getattr(result, "beneficiary", "worker") != "worker" or result.claimable is not True:
                continue
            amount = int((result.amount or {}).get("yuan") or 0)
            self.claims[county] += 1
            self.yuan[county] += amount
            self.policies[result.title][0] += 1
            self.policies[result.title][1] += amount


def _in_scope(grant: Grant, ctx: StaffContext, county: str) -> str | None:
    """The county's full name when the grant covers it (admins: every county)."""
    try:
        place = ctx.resolve_county(county)
    except InputError:
        return None
    if grant.role == ADMIN or place.name in grant.counties or place.city in grant.cities:
        return place.name
    return None


def _interviews(fx: Fairs, grant: Grant) -> list[tuple[str, dict[str, Any]]]:
    """(county, facts) of every stored interview with a home county: workers' own and applicants'."""
    found: list[tuple[str, dict[str, Any]]] = []
    state: dict[str, Any] | None  # a stored conversation (JSON)
    with fx.staff.transaction() as session:
        for state in session.scalars(select(col(ConversationRow.state))
                                     .where(col(ConversationRow.key).like("tg:%"))):
            facts: dict[str, Any] = dict((state or {}).get("facts") or {})
            county = facts.get("origin_county") and _in_scope(grant, fx.staff, str(facts["origin_county"]))
            if county:
                found.append((county, facts))
        for row in session.scalars(select(ApplicantRow)):
            county = (row.state or {}).get("facts") and _in_scope(grant, fx.staff, row.county)
            if county:
                found.append((county, facts_of(row.state, row.county)))
    return found


def tally(fx: Fairs, grant: Grant, as_of: date) -> Tally:
    """Evaluate every stored interview in the grant's places as of ``as_of``."""
    counts = Tally()
    for county, facts in _interviews(fx, grant):
        try:
            results = fx.staff.evaluate(facts, as_of)
        except InputError:
            results = []
        counts.add(county, results)
    return counts


def _reach(fx: Fairs, grant: Grant) -> dict[str, int]:
    """Fairs and their delivery totals (own fairs; admins: all)."""
    fairs = fx.outbox.fairs(None if grant.role == ADMIN else grant.user_id, limit=1000)
    total = Counter({"fairs": len(fairs)})
    for fair in fairs:
        total.update(fx.outbox.progress(stored_id(fair.id)))
    return {key: total[key] for key in ("fairs", "sent", "failed", "blocked", "uncertain", "left")}


def stats_text(fx: Fairs, grant: Grant, as_of: date) -> str:
    """The compact table staff read in the chat."""
    counts = tally(fx, grant, as_of)
    counties = [(c, counts.people[c], counts.claims[c], counts.yuan[c])
                for c in sorted(counts.people, key=lambda c: -counts.people[c])]
    policies = [(title, n, yuan) for title, (n, yuan)
                in sorted(counts.policies.items(), key=lambda item: -item[1][0])]
    return render("fair_stats", as_of=as_of, people=sum(counts.people.values()),
                  counties=counties, policies=policies, reach=_reach(fx, grant))
