"""Matching typed place names against the gazetteer: prefixes, pinyin, homophones, typos."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core._gazetteer import Division, Gazetteer

TOWN = re.compile(r"^..+?(镇|乡|村|街道|街|社区|组|屯|苏木|嘎查|农场|牧场|连)")
NAME_ENDINGS = set("县区市旗州盟团省")
TYPO_MARGIN = 0.1         # the winner must beat every other place by this much similarity
TYPO_CUTOFF = {"zh": 0.65, "pinyin": 0.8}   # edit similarity (transposition = one edit)
MAX_GUESSED = 40          # longer texts are not searched for typos or sounds (a sentence)
SUGGEST_FLOOR = 0.5       # weaker matches are not offered as "did you mean"


@dataclass(frozen=True)
class Parse:
    """One way to read a text: optional province and city prefixes, then the rest."""

    province: Division | None
    city: Division | None
    rest: str

    def admits(self, row: Division) -> bool:
        """Whether ``row`` lies inside the province and city this parse names."""
        in_province = self.province is None or row.province == self.province.province
        in_city = self.city is None or (row.city, row.province) == (self.city.name,
                                                                     self.city.province)
        return in_province and in_city


def parses(table: Gazetteer, key: str) -> list[Parse]:
    """Every reading of ``key`` as [province][city]rest (the bare text first)."""
    found = [Parse(None, None, key)]
    for alias, provinces in table.prefixes("province", key):
        rest = key[len(alias):]
        for province in provinces:
            found.append(Parse(province, None, rest))
            found += _city_parses(table, rest, province)
    found += _city_parses(table, key, None)
    return found


def _city_parses(table: Gazetteer, text: str, province: Division | None) -> list[Parse]:
    """Readings of ``text`` as city + rest, inside ``province`` when one is given."""
    found = []
    for alias, cities in table.prefixes("city", text):
        for city in cities:
            if province is None or city.province == province.province:
                found.append(Parse(province, city, text[len(alias):]))
    return found


def unique(rows: list[Division]) -> list[Division]:
    """Rows without repeats, in table order (by code)."""
    return sorted(dict.fromkeys(rows), key=lambda row: (row.code, row.level))


def exact(table: Gazetteer, key: str,
          level: str = "county") -> tuple[list[Division], list[Division]]:
    """(rows of ``level`` the text names exactly, cities/provinces the whole text names)."""
    matches: list[Division] = []
    mentions: list[Division] = []
    for parse in parses(table, key):
        if parse.rest:
            matches += [r for r in table.names[level].get(parse.rest, []) if parse.admits(r)]
        elif (named := parse.city or parse.province) is not None:
            mentions.append(named)
    return unique(matches), unique(mentions)


def before_town(table: Gazetteer, key: str, level: str = "county") -> list[Division]:
    """Rows named at the start of a township/village address (马边县民建镇 -> 马边县)."""
    found: list[Division] = []
    for parse in parses(table, key):
        for alias, rows in reversed(table.prefixes(level, parse.rest)):
            if TOWN.search(parse.rest[len(alias):]):
                found += [r for r in rows if parse.admits(r)]
                break
    return unique(found)


def _alias_pool(table: Gazetteer, level: str, kind: str) -> tuple[list[str], list[list[Division]]]:
    """Keys and their rows for fuzzy matching (Chinese names or pinyin), built once."""
    if (level, kind) not in table.pools:
        index = table.names[level] if kind == "zh" else table.pinyin[level]
        table.pools[(level, kind)] = (list(index), list(index.values()))
    return table.pools[(level, kind)]


def ranked_typos(table: Gazetteer, key: str, level: str, kind: str) -> list[tuple[float, Division]]:
    """Places ranked by similarity to ``key`` (best score per place), best first."""
    from rapidfuzz import process  # imported only when exact lookup failed
    from rapidfuzz.distance import OSA

    if len(key) > MAX_GUESSED:
        return []
    candidates = [Parse(None, None, key)] if kind == "pinyin" else parses(table, key)
    keys, rows = _alias_pool(table, level, kind)
    best: dict[Division, float] = {}
    for parse in candidates:
        if len(parse.rest) < (3 if kind == "zh" else 4):
            continue
        hits = process.extract(parse.rest, keys, scorer=OSA.normalized_similarity, limit=15)
        for alias, score, index in hits:
            if kind == "zh" and len(alias) < 3:     # two characters: too short to guess
                continue
            for row in rows[index]:
                if parse.admits(row) and score > best.get(row, 0):
                    best[row] = score
    return [(score, row) for row, score in sorted(best.items(), key=lambda i: (-i[1], i[0].code))]


def typo_winner(ranked: list[tuple[float, Division]], kind: str, key: str) -> Division | None:
    """The one place that clearly wins a typo match, else None.

    A Chinese text must look like a place name (a suffix such as 县, or four characters or
    more): 东方红 is a song, not a typo of 东方市.
    """
    if kind == "zh" and not looks_like_a_name(key):
        return None
    if not ranked or ranked[0][0] < TYPO_CUTOFF[kind]:
        return None
    if len(ranked) > 1 and ranked[1][0] > ranked[0][0] - TYPO_MARGIN:
        return None
    return ranked[0][1]


def looks_like_a_name(key: str) -> bool:
    """A Chinese text that may be a mistyped place name: a suffix (县, 旗…) or 4+ characters."""
    return len(key) >= 4 or key[-1:] in NAME_ENDINGS
