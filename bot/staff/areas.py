"""The places a staff invite covers: each word a county, a city or a province of the gazetteer.

A county resolves through :func:`bot.core.places.resolve_county` (the StaffContext's resolver);
a city or province must be named exactly (short or full name). A province stands for all its
cities. A name that fits several places lists them; an unknown name is refused, never stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.core._gazetteer import Division, gazetteer, normalise
from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.context import StaffContext


@dataclass(frozen=True)
class Area:
    """What one word of the invite covers: counties and cities by their full names."""

    counties: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()


def _exact(level: str, key: str) -> list[Division]:
    """Rows of ``level`` the key names exactly (``乐山`` and ``乐山市`` alike)."""
    names = gazetteer().names[level]
    return list(dict.fromkeys(names.get(key, []) + names.get(f"{key}市", [])))


def _province_cities(province: Division) -> tuple[str, ...]:
    """Every city (地级) of a province."""
    return tuple(row.name for row in gazetteer().rows
                 if row.level == "city" and row.province == province.name)


@lru_cache(maxsize=512)
def _spellings(county: str) -> frozenset[str]:
    """Every name and alias the gazetteer knows for the county named ``county`` (full name)."""
    table = gazetteer()
    names = {key for key, rows in table.names["county"].items() if any(r.name == county for r in rows)}
    return frozenset(names | {key for key, row in table.former.items() if row.name == county})


def _spelled(county: str, key: str) -> bool:
    """Whether the admin typed one of the county's names (not a typo the resolver guessed)."""
    spellings = _spellings(county)
    return not spellings or any(normalise(name) in key for name in spellings)


def _county(ctx: StaffContext, word: str) -> tuple[Area | None, list[str]]:
    """(the county as an Area when named exactly, else the candidates the resolver offers)."""
    try:
        place = ctx.resolve_county(word)
    except InputError as error:          # PlaceConfirm included: a guess is not taken
        return None, ["".join(dict.fromkeys(choice.split())) for choice in error.choices]
    if _spelled(place.name, normalise(word)):
        return Area(counties=(place.name,)), []
    return None, [f"{place.province}{'' if place.city == place.name else place.city}{place.name}"]


def _inside(label: str, areas: list[Division]) -> bool:
    """Whether a candidate county lies in one of the cities/provinces named exactly."""
    return any(label.startswith(area.label()) for area in areas)


def resolve_area(ctx: StaffContext, word: str) -> Area:
    """The county, city or province ``word`` names; refused when unknown or ambiguous."""
    name, key = word.strip(), normalise(word)
    if not key:
        raise InputError(text("staff.invite.need_scope"), "empty area")
    cities, provinces = _exact("city", key), _exact("province", key)
    provinces = [p for p in provinces if p.name not in {c.name for c in cities}]   # 北京市
    county, candidates = _county(ctx, name)
    candidates = [c for c in candidates if not _inside(c, cities + provinces)]     # 乐山's counties
    if county and (county.counties[0] in {c.name for c in cities}                  # 东莞市
                   or (name.endswith(("市", "省")) and (cities or provinces))):
        county = None
    found = [Area(cities=(c.name,)) for c in cities] + [
        Area(cities=_province_cities(p)) for p in provinces] + ([county] if county else [])
    if len(found) == 1 and not (candidates and not county):
        return found[0]
    if found:
        labels = candidates + [row.label() for row in cities + provinces]
        raise InputError(text("staff.invite.ambiguous_area", name=name, places="、".join(labels)),
                         f"ambiguous area {name!r}: {labels}")
    raise InputError(text("staff.invite.unknown_area", name=name, places="、".join(candidates[:6])),
                     f"unknown area {name!r}")


def resolve_one_county(ctx: StaffContext, word: str) -> str:
    """A coordinator's county, named exactly (a city or province is refused: which county?)."""
    area = resolve_area(ctx, word)
    if len(area.counties) != 1 or area.cities:
        raise InputError(text("staff.invite.need_county", name=word.strip()),
                         f"{word!r} is not one county")
    return area.counties[0]


def resolve_areas(ctx: StaffContext, words: tuple[str, ...]) -> Area:
    """All the counties and cities several words name, in order, without repeats."""
    areas = [resolve_area(ctx, word) for word in words if word.strip()]
    return Area(tuple(dict.fromkeys(c for a in areas for c in a.counties)),
                tuple(dict.fromkeys(c for a in areas for c in a.cities)))
