"""Place names by sound: pinyin typed in Latin letters, or a wrong character of the same sound."""
from __future__ import annotations

from functools import lru_cache

from bot.config import POLICY_ROOT
from bot.core._gazetteer import Division, Gazetteer
from bot.core._place_match import MAX_GUESSED, NAME_ENDINGS, parses, unique

CHAR_READINGS = POLICY_ROOT / "knowledge" / "places" / "char_pinyin.tsv"
SUFFIX_SYLLABLES = ("zizhixian", "zizhiqi", "xian", "qu", "shi", "qi")


def by_pinyin(table: Gazetteer, key: str, level: str = "county") -> list[Division]:
    """Rows whose name reads as the pinyin ``key`` (any heteronym), suffix syllables allowed."""
    index = table.pinyin[level]
    if key in index:
        return unique(index[key])
    for suffix in SUFFIX_SYLLABLES:
        stem = key[: -len(suffix)]
        if key.endswith(suffix) and len(stem) >= 2 and stem in index:
            return unique(index[stem])
    return []


@lru_cache(maxsize=1)
def char_readings() -> dict[str, list[str]]:
    """Pinyin readings of common characters (knowledge/places/char_pinyin.tsv), loaded once."""
    lines = CHAR_READINGS.read_text(encoding="utf-8").splitlines()
    return {ch: spellings.split("|") for ch, spellings in
            (line.split("\t") for line in lines if line and not line.startswith("#"))}


def spoken(word: str) -> list[str]:
    """How a typed word sounds: the most common reading of each character ([] if one is
    unknown). A wrong character is typed for its everyday sound; its rare readings would make
    everyday words sound like places (南方 read nanfeng: 南丰县)."""
    table = char_readings()
    if any(ch not in table for ch in word):
        return []
    return ["".join(table[ch][0] for ch in word)]


def by_sound(table: Gazetteer, key: str, level: str = "county") -> list[Division]:
    """Rows that sound like the Chinese ``key`` (a wrong character of the same sound)."""
    found: list[Division] = []
    for parse in parses(table, key) if len(key) <= MAX_GUESSED else []:
        if len(parse.rest) >= 2:
            for spelling in spoken(parse.rest):
                found += [r for r in by_pinyin(table, spelling, level)
                          if parse.admits(r) and _shares_a_character(parse.rest, r.name)]
    return unique(found)


def _shares_a_character(typed: str, name: str) -> bool:
    """A typo changes a character, not all of them: 马编 ~ 马边, but 没有 !~ 无为, 博州 !~ 播州."""
    return bool((set(typed) & set(name)) - NAME_ENDINGS)


def by_pinyin_in_area(table: Gazetteer, key: str) -> list[Division]:
    """Counties in pinyin after a province and/or city in pinyin: sichuanleshanmabian."""
    if len(key) > MAX_GUESSED:
        return []
    found = _after_city(table, key)
    for head, tail in _cuts(key):
        for province in by_pinyin(table, head, "province"):
            found += [row for row in by_pinyin(table, tail) + _after_city(table, tail)
                      if row.province == province.province]
    return unique(found)


def _after_city(table: Gazetteer, key: str) -> list[Division]:
    """Counties in pinyin after their city in pinyin: leshanmabian."""
    found: list[Division] = []
    for head, tail in _cuts(key):
        for city in by_pinyin(table, head, "city"):
            found += [row for row in by_pinyin(table, tail)
                      if row.city == city.name and row.province == city.province]
    return found


def _cuts(key: str) -> list[tuple[str, str]]:
    """Ways to split ``key`` into two parts of at least four letters."""
    return [(key[:cut], key[cut:]) for cut in range(4, len(key) - 3)]
