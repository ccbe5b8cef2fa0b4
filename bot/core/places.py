"""County gazetteer: understand the home county and the work place however a worker types them.

Data: knowledge/places/divisions.tsv (every county-level division, with city and province;
see knowledge/places/README.md). A name that fits several places is never guessed: it
raises InputError with the candidates in ``.choices`` (``"省 市 县"`` strings that resolve
back to exactly that place).
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.core import _place_match as match
from bot.core import _place_sound as sound
from bot.core._gazetteer import Division, Gazetteer, gazetteer, normalise, shown
from bot.core._place_cues import bare_names, county_after_cue
from bot.core._place_pairs import is_paired, near_miss
from bot.core._place_units import is_bingtuan, numbered_unit
from bot.core.errors import InputError

__all__ = [
    "Place",
    "PlaceConfirm",
    "WorkPlace",
    "county_count",
    "find_county_in_text",
    "resolve_county",
    "resolve_work_facts",
    "resolve_work_place",
]
SHOWN = 6   # candidates named in one message


@dataclass(frozen=True)
class Place:
    """A county-level unit with full names: ("511133", "马边彝族自治县", "乐山市", "四川省")."""

    code: str
    name: str
    city: str
    province: str


@dataclass(frozen=True)
class WorkPlace:
    """Where someone works, as precisely as they said it (full names)."""

    province: str
    city: str | None
    county: str | None


class PlaceConfirm(InputError):
    """A near miss of a county a document names: ask "你是说…吗", never take it.

    ``choices`` holds exactly the one place suggested ("省 市 县"), which resolves back to it.
    """


def say(key: str, **context: object) -> str:
    """A message from templates/zh/places.yaml (jinja2 is loaded only when one is needed)."""
    from bot.core.render import text

    return text(key, **context)


def county_count() -> int:
    """Number of county-level rows in the table."""
    return len(gazetteer().counties())


def _place(row: Division) -> Place:
    return Place(row.code, row.name, row.city, row.province)


def _listing(rows: list[Division], short: bool = False) -> str:
    """'北京市朝阳区、吉林省长春市朝阳区' (at most SHOWN, then 等N个地方); short: names only."""
    shown = "、".join(row.name if short else row.label() for row in rows[:SHOWN])
    return shown if len(rows) <= SHOWN else shown + say("places_more", count=len(rows))


def _error(key: str, name: str, rows: list[Division], en: str, **extra: str) -> InputError:
    zh = say(key, name=name, places=_listing(rows, short="area" in extra), **extra)
    return InputError(zh, en, choices=[row.choice() for row in rows])


def _ambiguous(name: str, rows: list[Division]) -> InputError:
    en = f"ambiguous county name {name!r}: " + ", ".join(row.label() for row in rows)
    return _error("places_ambiguous", name, rows, en)


def _decide(name: str, table: Gazetteer, matches: list[Division],
            mentions: list[Division]) -> Division:
    """The one county the text names; raise when it names several or a whole city/province."""
    cities = [m for m in mentions if m.level == "city"]
    provinces = [m for m in mentions if m.level == "province" and m.name not in
                 {c.name for c in cities}]
    if len(cities) == 1 and not provinces and all(m.city == cities[0].name for m in matches):
        city = cities[0]
        below = table.counties_in.get((city.province, city.name), [])
        inside = list(dict.fromkeys(matches + below))
        if len(inside) == 1 and inside[0].name == city.name:   # 东莞: the city is the county
            return inside[0]
        en = f"{name!r} is a city ({city.label()}), not a county: say which county"
        raise _error("places_in_city", name, inside, en, area=city.label())
    if provinces:
        en = f"{name!r} is a province, not a county: say which county"
        raise _error("places_province", name, matches, en)
    if len(matches) == 1 and not cities:
        return matches[0]
    other_cities = [c for c in cities if not any(m.city == c.name for m in matches)]
    raise _ambiguous(name, matches + other_cities)    # 巴州: 巴州区, or the 巴音郭楞 prefecture


def _unknown(name: str, ranked: list[tuple[float, Division]], key: str, en_what: str) -> InputError:
    rows = [row for score, row in ranked[:5] if score >= match.SUGGEST_FLOOR]
    return _error(key, name, rows, f"unknown {en_what} {name!r}" + (
        "; closest: " + ", ".join(row.label() for row in rows) if rows else ""))


def _lookup(table: Gazetteer, key: str, name: str) -> tuple[list[Division], list[Division]]:
    """(counties, cities) by same sound, then a county by a clear typo (pinyin or characters).

    兵团 units are never guessed: 四十八团 is another regiment, not a typo of 四十七团.
    """
    kind = "pinyin" if key.isascii() else "zh"
    if kind == "zh":
        found = [row for row in sound.by_sound(table, key) if not is_bingtuan(row)]
        if found:
            return found, []
        cities = sound.by_sound(table, key, "city")    # 杭洲 -> 杭州市: which county there?
        if cities:
            return [], [row for row in cities if not is_bingtuan(row)]
    ranked = [(score, row) for score, row in match.ranked_typos(table, key, "county", kind)
              if not is_bingtuan(row)]
    winner = match.typo_winner(ranked, kind, key) or (
        near_miss(table, key, ranked[0][0] if ranked else 0.0) if kind == "zh" else None)
    if winner:
        return [winner], []
    raise _unknown(name, ranked, "places_unknown", "county")


def _named(table: Gazetteer, key: str) -> tuple[list[Division], list[Division]]:
    """(counties, whole cities/provinces) the text names exactly, in characters or pinyin."""
    if key.isascii():
        mentions = sound.by_pinyin(table, key, "province") + sound.by_pinyin(table, key, "city")
        counties = sound.by_pinyin(table, key) or sound.by_pinyin_in_area(table, key)
        return counties, match.unique(mentions)
    for candidate in [key, *bare_names(key)]:
        matches, mentions = match.exact(table, candidate)
        if matches or mentions:
            return matches, mentions
    return [], []


def confirm(name: str, row: Division) -> PlaceConfirm:
    """Ask whether a guessed place is the one meant ("你说的是…吗")."""
    return PlaceConfirm(say("places_confirm", name=name[:40], place=row.label()),
                        f"{name[:40]!r} is not a known name; did you mean {row.label()}?",
                        choices=[row.choice()])


def resolve_county(text_in: str) -> Place:
    """The county-level unit a worker names: full, short, abbreviated, prefixed, pinyin,
    traditional (馬邊), former (绍兴县); a typo or same-sound name is taken only when it is
    not a county of the documents (those raise PlaceConfirm: the worker confirms)."""
    key = normalise(text_in)
    name = shown(text_in.strip())      # what messages repeat of the text
    if not key:
        raise InputError(say("places_empty"), "empty county name")
    table = gazetteer()
    unit = numbered_unit(table, key, name)
    if unit:
        return _place(unit)
    if key in table.one_char:          # 渝, 川: a whole province, not a county
        raise _error("places_province", name, [], f"{name!r} is a province, not a county")
    matches, mentions = _named(table, key)
    if not matches and not mentions:
        matches = match.before_town(table, key)
    guessed = not matches and not mentions
    if guessed:
        matches, mentions = _lookup(table, key, name)
    row = _decide(name, table, matches, mentions)
    if guessed and is_paired(row):
        raise confirm(name, row)
    return _place(row)


def find_county_in_text(sentence: str) -> Place | None:
    """A county named after a cue word (老家, 来自, 我是…的, 户口在, 家在); None when unsure."""
    row = county_after_cue(gazetteer(), sentence)
    return _place(row) if row else None


def resolve_work_place(text_in: str) -> WorkPlace:
    """Where someone works: province, city and county as far as the text says them."""
    from bot.core._work_place import work_place

    return work_place(text_in)


def resolve_work_facts(province: str | None, city: str | None, county: str | None) -> WorkPlace:
    """The work place given as separate facts (evaluate): every part read, none guessed,
    all in agreement; InputError otherwise (an unreadable province is never "another one")."""
    from bot.core._work_place import work_facts

    return work_facts(province, city, county)
