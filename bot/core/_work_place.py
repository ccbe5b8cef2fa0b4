"""Work places: province, city and county as far as the worker names them ("浙江绍兴柯桥")."""
from __future__ import annotations

from bot.core import _place_match as match
from bot.core import _place_sound as sound
from bot.core._gazetteer import Division, Gazetteer, gazetteer, normalise, shown
from bot.core._place_cues import bare_names
from bot.core.errors import InputError
from bot.core.places import WorkPlace, confirm, say

MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
LEVELS = ("province", "city", "county")


def named_rows(table: Gazetteer, key: str) -> list[Division]:
    """Every province, city or county the whole text names exactly."""
    found: list[Division] = []
    for parse in match.parses(table, key):
        if parse.rest:
            found += [r for r in table.names["county"].get(parse.rest, []) if parse.admits(r)]
        elif parse.city is None:
            return [parse.province] if parse.province else []   # a province wins: 吉林, 海南, 重庆
        else:
            found.append(parse.city)
    return match.unique(found)


def _contains(outer: Division, inner: Division) -> bool:
    """Whether ``inner`` lies inside ``outer`` (a province or a city)."""
    if outer.level == "province":
        return inner.level != "province" and inner.province == outer.province
    return outer.level == "city" and inner.level == "county" and (
        inner.city == outer.name and inner.province == outer.province)


def prune(rows: list[Division]) -> list[Division]:
    """Drop rows that lie inside another candidate (朝阳县 inside 朝阳市)."""
    return [r for r in rows if not any(_contains(o, r) for o in rows if o is not r)]


def _unknown(name: str, rows: list[Division]) -> InputError:
    return InputError(
        say("places_work_unknown", name=name[:40], places="、".join(r.label() for r in rows)),
        f"unknown work place {name[:40]!r}", choices=[r.choice() for r in rows])


def _fallback(table: Gazetteer, key: str, name: str, guess: bool) -> list[Division]:
    """Pinyin, same-sound and typo matches when no name matches exactly (none if not guess)."""
    if not guess:
        raise _unknown(name, [])
    kind = "pinyin" if key.isascii() else "zh"
    finder = sound.by_pinyin if kind == "pinyin" else sound.by_sound
    found = [row for level in LEVELS for row in finder(table, key, level)]
    provinces = [row for row in found if row.level == "province"]
    if found:   # pinyin is an exact reading; a same-sound character is a guess: confirmed
        rows = provinces or match.unique(found)   # xinjiang: the province, not 新绛县
        if kind == "zh" and len(prune(rows)) == 1:
            raise confirm(name, prune(rows)[0])
        return rows
    ranked = sorted(match.ranked_typos(table, key, "city", kind)
                    + match.ranked_typos(table, key, "county", kind), key=lambda i: -i[0])
    winner = match.typo_winner(ranked, kind, key)
    if winner:
        raise confirm(name, winner)
    raise _unknown(name, [row for score, row in ranked[:5] if score >= match.SUGGEST_FLOOR])


def as_work_place(row: Division) -> WorkPlace:
    """The WorkPlace a row stands for (a municipality is its own city)."""
    if row.level == "province":
        return WorkPlace(row.name, row.name if row.name in MUNICIPALITIES else None, None)
    if row.level == "city":
        return WorkPlace(row.province, row.name, None)
    return WorkPlace(row.province, row.city, row.name)


def _one_char(table: Gazetteer, key: str) -> list[Division]:
    """A province written with its one-character abbreviation as the whole answer: 渝, 在京打工."""
    for candidate in [key, *bare_names(key)]:
        if candidate in table.one_char:
            return list(table.one_char[candidate])
    return []


def work_place(text_in: str, guess: bool = True) -> WorkPlace:
    """Resolve a work place; InputError when unknown or when it fits several places.

    ``guess=False``: exact names only (no pinyin, same-sound or typo matches).
    """
    key = normalise(text_in)
    name = shown(text_in.strip())      # what messages repeat of the text
    if not key:
        raise InputError(say("places_work_unknown", name=name, places=""), "empty work place")
    table = gazetteer()
    rows = named_rows(table, key) or _one_char(table, key)
    for bare in bare_names(key) if not rows else []:
        rows = rows or named_rows(table, bare)
    rows = prune(rows or match.before_town(table, key) or _fallback(table, key, name, guess))
    if len(rows) == 1:
        return as_work_place(rows[0])
    labels = "、".join(r.label() for r in rows)
    raise InputError(say("places_ambiguous", name=name, places=labels),
                     f"ambiguous place name {name!r}: {labels}", choices=[r.choice() for r in rows])


def _label(place: WorkPlace) -> str:
    return "".join(dict.fromkeys(p for p in (place.province, place.city, place.county) if p))


def _read_part(before: str, part: str, given: str) -> WorkPlace:
    """One work-place fact read inside the ones before it (吉林 as the city: 吉林市)."""
    place = work_place(before + given, guess=False)
    if part == "city" and place.city is None and not given.endswith("市"):
        try:
            return work_place(before + given + "市", guess=False)
        except InputError:
            return place
    return place


def work_facts(province: str | None, city: str | None, county: str | None) -> WorkPlace:
    """Province, city and county facts read one after the other, each inside the one before."""
    found: WorkPlace | None = None
    for part, given in (("province", province), ("city", city), ("county", county)):
        if not given or not given.strip():
            continue
        given, before = given.strip(), _label(found) if found else ""
        place = _read_part(before, part, given)
        if part == "province" and (place.city, place.county) != (
                place.province if place.province in MUNICIPALITIES else None, None):
            raise InputError(say("places_work_not_province", name=given[:40]),
                             f"work_province {given[:40]!r} is not a province")
        inside = found is None or (place.province == found.province and (
            found.city is None or place.city == found.city))
        if not inside or getattr(place, part) is None:
            raise InputError(say("places_work_parts", name=given[:40], area=before),
                             f"work {part} {given[:40]!r} is not in {before}")
        found = place
    if found is None:
        raise InputError(say("places_work_unknown", name="", places=""), "empty work place")
    return found
