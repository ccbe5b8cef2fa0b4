"""/stats for staff: interviews, claimable subsidies by home county and by policy, fairs and reach."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from bot.core.render import render
from bot.staff import ADMIN, Grant
from bot.staff.models import stored_id
from bot.staff.stats import tally

if TYPE_CHECKING:  # telegram_fairs imports this module
    from bot.adapters.telegram_fairs import Fairs


def _reach(fx: Fairs, grant: Grant) -> dict[str, int]:
    """Fairs and their delivery totals (own fairs; admins: all)."""
    fairs = fx.outbox.fairs(None if grant.role == ADMIN else grant.user_id, limit=1000)
    total = Counter({"fairs": len(fairs)})
    for fair in fairs:
        total.update(fx.outbox.progress(stored_id(fair.id)))
    return {key: total[key] for key in ("fairs", "sent", "failed", "blocked", "uncertain", "left")}


def stats_text(fx: Fairs, grant: Grant, as_of: date) -> str:
    """The compact table staff read in the chat."""
    counts = tally(fx.staff, grant, as_of)
    counties = [(c, counts.people[c], counts.counties[c])
                for c in sorted(counts.people, key=lambda c: -counts.people[c])]
    policies = sorted(counts.policies.items(), key=lambda item: -item[1].claims)
    uptake_counties, uptake_policies = counts.uptake_lists()
    return render("fair_stats", as_of=as_of, people=sum(counts.people.values()),
                  counties=counties, policies=policies, reach=_reach(fx, grant),
                  uptake_counties=uptake_counties, uptake_policies=uptake_policies)
