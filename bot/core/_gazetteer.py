"""The division table (knowledge/places/divisions.tsv) and its lookup indexes, built once."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from bot.config import POLICY_ROOT

if TYPE_CHECKING:
    import opencc

PLACES = POLICY_ROOT / "knowledge" / "places"
TABLE = PLACES / "divisions.tsv"
PROVINCE_FORMS = PLACES / "provinces.tsv"
FORMER_NAMES = PLACES / "former_names.tsv"
LEVELS = ("province", "city", "county")
_NOISE = re.compile(r"[\s\-_.,，。、·・/\\'’`\"“”()（）【】\[\]:：;；!！?？]+")


class Division(NamedTuple):
    """One row of the table: a province, a city (地级) or a county-level unit."""

    code: str
    level: str
    name: str
    city: str
    province: str

    def label(self) -> str:
        """Chinese label without repeated parts: 北京市朝阳区, 四川省乐山市马边彝族自治县."""
        city = "" if self.name.startswith(self.city) else self.city   # 兵团 regiments
        return "".join(dict.fromkeys(p for p in (self.province, city, self.name) if p))

    def choice(self) -> str:
        """Space-separated '省 市 县' string; the city is left out where it repeats a name."""
        if self.level == "province" or (self.level == "city" and self.city == self.province):
            return self.province
        if self.level == "city":
            return f"{self.province} {self.city}"
        if self.city == self.name:
            return f"{self.province} {self.name}"
        return f"{self.province} {self.city} {self.name}"


@dataclass
class Gazetteer:
    """All divisions with name indexes per level (the pinyin index is built on first use)."""

    rows: list[Division] = field(default_factory=list)
    names: dict[str, dict[str, list[Division]]] = field(default_factory=dict)
    counties_in: dict[tuple[str, str], list[Division]] = field(default_factory=dict)
    longest: int = 0
    readings: list[tuple[Division, str]] = field(default_factory=list)
    pools: dict[tuple[str, str], tuple[list[str], list[list[Division]]]] = field(
        default_factory=dict)
    letters: frozenset[str] = frozenset()    # every character of every official name
    one_char: dict[str, list[Division]] = field(default_factory=dict)   # 京 -> [北京市]
    former: dict[str, Division] = field(default_factory=dict)     # 绍兴县 -> 柯桥区

    def add(self, row: Division, aliases: str, readings: str) -> None:
        """Index one row under its full name and its '|'-separated aliases."""
        self.rows.append(row)
        names = self.names[row.level]
        names.setdefault(row.name, []).append(row)
        for alias in aliases.split("|") if aliases else ():
            if alias != row.name:
                names.setdefault(alias, []).append(row)
        self.readings.append((row, readings))
        if row.level == "county":
            self.counties_in.setdefault((row.province, row.city), []).append(row)

    @cached_property
    def pinyin(self) -> dict[str, dict[str, list[Division]]]:
        """Rows by every pinyin reading of their names, per level (built once, when needed)."""
        index: dict[str, dict[str, list[Division]]] = {level: {} for level in LEVELS}
        for row, cell in self.readings:
            by_reading = index[row.level]
            for reading in dict.fromkeys(cell.split("|")):
                if reading:
                    by_reading.setdefault(reading, []).append(row)
        return index

    def counties(self) -> list[Division]:
        """Every county-level row."""
        return [row for row in self.rows if row.level == "county"]

    def prefixes(self, level: str, text: str) -> list[tuple[str, list[Division]]]:
        """(alias, rows) for every alias of ``level`` that ``text`` starts with."""
        index = self.names[level]
        found = []
        for length in range(2, min(len(text), self.longest) + 1):
            rows = index.get(text[:length])
            if rows:
                found.append((text[:length], rows))
        return found


def normalise(text: str) -> str:
    """Simplified characters, full-width to half-width, lower case, no spaces or punctuation."""
    return simplified(_NOISE.sub("", unicodedata.normalize("NFKC", shown(text, None))).lower())


def shown(text: str, limit: int | None = 40) -> str:
    """Text safe to show and to encode: lone surrogates dropped, cut to ``limit`` characters."""
    return text.encode("utf-8", "ignore").decode("utf-8")[:limit]


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC t2s), keeping every character that an
    official name uses: OpenCC turns 乾县's 乾 into 干, which is right in prose, wrong here."""
    return text if text.isascii() else _simplified(text, gazetteer().letters)


def _simplified(text: str, keep: frozenset[str]) -> str:
    converted: str = _t2s().convert(text)  # OpenCC's convert() is not annotated
    if converted == text or len(converted) != len(text):
        return converted
    return "".join(old if old in keep else new for old, new in zip(text, converted, strict=True))


def _add_traditional_forms(table: Gazetteer) -> None:
    """Names whose traditional form OpenCC does not turn back (s2t writes 澄江 as 澂江, and t2s
    keeps 澂): that form becomes an alias where no place has the name."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    for index in table.names.values():
        for alias, rows in list(index.items()):
            form = "" if alias.isascii() else _simplified(s2t.convert(alias), table.letters)
            if form and form != alias and form not in index:
                index[form] = list(rows)


@lru_cache(maxsize=1)
def gazetteer(path: Path = TABLE) -> Gazetteer:
    """Load the table and build the name indexes (cached: done once per process)."""
    table = Gazetteer(names={level: {} for level in LEVELS})
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"]
    for line in lines[1:]:
        code, level, name, city, province, aliases, readings, others = line.split("\t")
        table.add(Division(code, level, name, city, province), aliases, f"{readings}|{others}")
    _add_province_forms(table)
    _add_former_names(table)
    table.longest = max(len(alias) for index in table.names.values() for alias in index)
    table.letters = frozenset("".join(a for index in table.names.values() for a in index))
    _add_traditional_forms(table)
    return table


def _data_lines(path: Path) -> list[list[str]]:
    """Tab-separated rows of a data file, without comments and the header line."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"]
    return [line.split("\t") for line in lines[1:]]


def _pair(text: str) -> tuple[str, str]:
    """"辽宁省 大连市" → ("辽宁省", "大连市")."""
    province, city = text.split()
    return province, city


def _add_province_forms(table: Gazetteer) -> None:
    """Province abbreviations (knowledge/places/provinces.tsv): 黑省 as an alias; 黑, 渝 and the
    other one-character forms only as a whole answer (they start many other names: 京山, 川汇)."""
    provinces = {row.name: row for row in table.rows if row.level == "province"}
    cities = {(row.province, row.name): row for row in table.rows if row.level == "city"}
    for name, short, colloquial, shared in _data_lines(PROVINCE_FORMS):
        also = [cities[_pair(pair)] for pair in filter(None, shared.split("|"))]
        for letter in filter(None, short.split("|")):
            table.one_char[letter] = [provinces[name], *also]
        for alias in filter(None, colloquial.split("|")):
            table.names["province"].setdefault(alias, []).append(provinces[name])


def _add_former_names(table: Gazetteer) -> None:
    """Former names (knowledge/places/former_names.tsv), full and without the suffix, where no
    place today has that name: 绍兴县 -> 柯桥区, 襄樊 -> 襄阳市; 郊区 stays today's 郊区s."""
    by_code = {(row.code, row.level): row for row in table.rows}
    taken = {alias for index in table.names.values() for alias in index}
    for former, level, _year, _change, code, *_ in _data_lines(FORMER_NAMES):
        row = by_code.get((code, level))
        stem = former[:-2] if former.endswith("地区") else former[:-1]
        for alias in (former, stem) if len(stem) >= 2 else (former,):
            if row and alias not in taken:
                table.names[level].setdefault(alias, []).append(row)
                table.former.setdefault(alias, row)
