"""The division table (knowledge/places/divisions.tsv) and its lookup indexes, built once."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from bot.config import ROOT

TABLE = ROOT / "knowledge" / "places" / "divisions.tsv"
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
    """Full-width to half-width, lower case, spaces and punctuation removed."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=1)
def gazetteer(path: Path = TABLE) -> Gazetteer:
    """Load the table and build the name indexes (cached: done once per process)."""
    table = Gazetteer(names={level: {} for level in LEVELS})
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and ln[0] != "#"]
    for line in lines[1:]:
        code, level, name, city, province, aliases, readings, others = line.split("\t")
        table.add(Division(code, level, name, city, province), aliases, f"{readings}|{others}")
    table.longest = max(len(alias) for index in table.names.values() for alias in index)
    return table
