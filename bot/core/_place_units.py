"""Numbered units of the 新疆生产建设兵团 (师, 团): matched only exactly, never by typo distance.

The table lists only the units a document names (第十四师 and its 四十七团, extra.tsv): no
maintained package lists every 兵团 division and regiment with its division (see
knowledge/places/README.md). Any other numbered unit is refused: 四十八团 is not 四十七团.
"""
from __future__ import annotations

import re

from bot.core._gazetteer import Division, Gazetteer
from bot.core._place_cues import bare_names
from bot.core.errors import InputError

NUMERAL = r"[0-9〇零一二三四五六七八九十百两]+"
UNIT = re.compile(
    rf"^(?:新疆)?(?:生产建设)?(?:兵团)?(?:农)?(?:第?(?P<division>{NUMERAL})师)?"
    rf"(?:第?(?P<regiment>{NUMERAL})团)?(?:场|团场|农场)?$")
BINGTUAN = "XJBT"      # code prefix of the hand-written 兵团 rows (extra.tsv)


def number(text: str) -> int | None:
    """A unit's number: 四十七 -> 47, 一五二 -> 152 (read digit by digit), 147 -> 147."""
    from cn2an import cn2an  # imported only for a numbered unit

    try:
        return int(cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def is_unit(key: str) -> bool:
    """Whether the text is a numbered 师 or 团 (十四师, 兵团一五二团, 47团)."""
    found = UNIT.match(key)
    return bool(found and (found["division"] or found["regiment"]))


def listed_unit(table: Gazetteer, key: str) -> tuple[bool, Division | None]:
    """(is a numbered unit, the listed unit it names exactly or None)."""
    found = UNIT.match(key)
    if not found or not (found["division"] or found["regiment"]):
        return False, None
    division = number(found["division"]) if found["division"] else None
    regiment = number(found["regiment"]) if found["regiment"] else None
    for row in table.rows:
        if row.code.startswith(BINGTUAN):
            numbers = [int(n) for n in row.code.split("-")[1:]]   # XJBT-14-47 -> [14, 47]
            want = [division, regiment] if regiment is not None else [division]
            if row.level == ("county" if regiment is not None else "city") and all(
                    w is None or w == n for w, n in zip(want, numbers, strict=False)):
                return True, row
    return True, None


class UnknownUnit(InputError):
    """A numbered 兵团 师/团 that no document lists (refused, never matched to another unit)."""


def is_bingtuan(row: Division) -> bool:
    """Whether a row is a 兵团 unit (never the result of a guess)."""
    return row.code.startswith(BINGTUAN)


def numbered_unit(table: Gazetteer, key: str, name: str) -> Division | None:
    """The listed 兵团 regiment the text names exactly; None when the text is no numbered unit
    or a listed division (十四师: which regiment?); InputError for any other 师 or 团."""
    from bot.core.render import text

    for candidate in [key, *bare_names(key)]:
        numbered, row = listed_unit(table, candidate)
        if numbered and row is None:
            raise UnknownUnit(text("places_unit_unknown", name=name[:40]),
                             f"unknown 兵团 unit {name[:40]!r}: only 第十四师四十七团 is listed")
        if numbered and row is not None:
            return row if row.level == "county" else None
    return None
