"""Staff answers to the /fair questions: target places within the staff's scope (times: fair_when)."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from bot.core.errors import InputError
from bot.core.render import text

SEPARATORS = re.compile(r"[、，,；;\s]+")


class County(Protocol):
    """What :func:`resolve_targets` reads from a gazetteer county (``bot.core.places.Place``)."""

    @property
    def name(self) -> str: ...

    @property
    def city(self) -> str: ...


def _city_counties(name: str) -> tuple[str, list[str]] | None:
    """The city ``name`` (乐山 / 乐山市) and its counties, or None when it names no single city."""
    from bot.core._gazetteer import gazetteer

    table = gazetteer()
    rows = table.names["city"].get(name) or table.names["city"].get(f"{name}市") or []
    if len(rows) != 1:
        return None
    city = rows[0]
    return city.name, [row.name for row in table.counties_in.get((city.province, city.name), [])]


def resolve_targets(answer: str, counties: tuple[str, ...], cities: tuple[str, ...],
                    everywhere: bool, resolve_county: Callable[[str], County]) -> list[str]:
    """Full county names from the staff's answer; only places they serve (all for admins)."""
    allowed = "、".join((*counties, *cities))
    found: dict[str, None] = {}
    for name in (part for part in SEPARATORS.split(answer.strip()) if part):
        city = _city_counties(name)
        if city is not None:
            if not (everywhere or city[0] in cities):
                raise InputError(text("fairs.bad.place", name=city[0], places=allowed),
                                 f"out of scope: {city[0]}")
            found.update(dict.fromkeys(city[1]))
            continue
        try:
            place = resolve_county(name)
        except InputError as error:
            raise InputError(text("fairs.bad.unknown_place", name=name), str(error)) from error
        if not (everywhere or place.name in counties or place.city in cities):
            raise InputError(text("fairs.bad.place", name=place.name, places=allowed),
                             f"out of scope: {place.name}")
        found[place.name] = None
    if not found:
        raise InputError(text("fairs.bad.empty"), "no target")
    return list(found)
