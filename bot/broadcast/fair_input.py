"""Staff answers to the /fair questions: a date and time, target places within the staff's scope."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.errors import InputError
from bot.core.render import text

CHINA = ZoneInfo("Asia/Shanghai")
WHEN = re.compile(
    r"^(?:(?P<year>\d{4})[年./\-])?(?P<month>\d{1,2})[月./\-](?P<day>\d{1,2})[日号]?"
    r"\s*(?P<half>上午|早上|中午|下午|晚上)?\s*"
    r"(?:(?P<hour>\d{1,2})(?:[:：点时](?P<minute>\d{1,2}|半)?分?)?)?$")
SEPARATORS = re.compile(r"[、，,；;\s]+")


class County(Protocol):
    """What :func:`resolve_targets` reads from a gazetteer county (``bot.core.places.Place``)."""

    @property
    def name(self) -> str: ...

    @property
    def city(self) -> str: ...


def parse_when(answer: str, now: datetime) -> datetime:
    """``12月5日 9:30`` / ``2026-12-05 14:00`` / ``12月5日下午2点半`` in China time -> UTC."""
    match = WHEN.match(answer.strip().replace("：", ":"))
    if not match:
        raise InputError(text("fairs.bad.when"), f"not a date and time: {answer}")
    local_now = now.astimezone(CHINA)
    hour = int(match["hour"] or 9)
    minute = 30 if match["minute"] == "半" else int(match["minute"] or 0)
    if match["half"] in ("下午", "晚上") and hour < 12:
        hour += 12
    try:
        moment = datetime(int(match["year"] or local_now.year), int(match["month"]),
                          int(match["day"]), hour, minute, tzinfo=CHINA)
        if not match["year"] and moment < local_now:
            moment = moment.replace(year=moment.year + 1)
    except ValueError as error:
        raise InputError(text("fairs.bad.when"), str(error)) from error
    if moment < local_now:
        raise InputError(text("fairs.bad.past"), f"in the past: {answer}")
    return moment.astimezone(UTC)


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
