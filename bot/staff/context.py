"""What every staff service needs: the engine, the admins, a clock, the evaluator, the gazetteer."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.clock import CHINA


class PlaceLike(Protocol):
    """What the staff layer reads from ``bot.core.places.Place``."""

    @property
    def name(self) -> str: ...

    @property
    def city(self) -> str: ...

    @property
    def province(self) -> str: ...


Evaluate = Callable[[dict, date], list[Any]]     # facts, as_of -> list[Result]
ResolveCounty = Callable[[str], PlaceLike]


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def core_evaluate(facts: dict, as_of: date) -> list[Any]:
    """The real evaluator: normalise the facts, then evaluate every rule (all audiences)."""
    from bot.core.evaluator import evaluate
    from bot.core.facts import normalise_facts

    # Rules for other home areas can never apply to this person: leave them out (fast path).
    return evaluate(normalise_facts(dict(facts), as_of), as_of, "worker", keep_out_of_scope=False)


def core_resolve_county(text: str) -> PlaceLike:
    """The real gazetteer lookup."""
    from bot.core.places import resolve_county

    return resolve_county(text)


@dataclass
class StaffContext:
    """The staff services' dependencies; the composition root builds one."""

    engine: Engine
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    clock: Callable[[], datetime] = utc_now
    evaluate: Evaluate = core_evaluate
    resolve_county: ResolveCounty = core_resolve_county

    def now(self) -> datetime:
        """The current time, always timezone-aware UTC."""
        moment = self.clock()
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

    def today(self) -> date:
        """Today's date where the users live (China), not the server's UTC date."""
        return self.now().astimezone(CHINA).date()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


def as_utc(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite returns naive values)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
