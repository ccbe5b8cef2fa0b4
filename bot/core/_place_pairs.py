"""The documents' origin areas (knowledge/*.md front matter `areas`): where a guess costs money.

A typo or same-sound match to one of these counties is offered for confirmation, never taken:
马编县 may be 马边, but the worker says so.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from bot.config import ROOT
from bot.core import _place_match as match
from bot.core._gazetteer import Division, gazetteer, normalise

KNOWLEDGE = ROOT / "knowledge"


def _front_matter_areas(text: str) -> list[str]:
    """The `areas` list of one document's YAML front matter."""
    if not text.startswith("---"):
        return []
    head = text.split("\n---", 1)[0].removeprefix("---")
    meta = yaml.safe_load(head) or {}
    return [str(a) for a in meta.get("areas") or []] if isinstance(meta, dict) else []


@lru_cache(maxsize=1)
def paired_areas() -> tuple[frozenset[str], frozenset[str]]:
    """(county codes, whole provinces) named as origin areas by the documents."""
    table = gazetteer()
    codes: set[str] = set()
    provinces: set[str] = set()
    for path in sorted(KNOWLEDGE.glob("*.md")):
        for area in _front_matter_areas(path.read_text(encoding="utf-8")):
            counties, mentions = match.exact(table, normalise(area))
            codes.update(row.code for row in counties)
            provinces.update(m.province for m in mentions if m.level == "province")
            for city in (m for m in mentions if m.level == "city"):
                codes.update(r.code for r in table.counties_in.get((city.province, city.name), []))
    return frozenset(codes), frozenset(provinces)


def is_paired(row: Division) -> bool:
    """Whether a county is one a document pays people from."""
    codes, provinces = paired_areas()
    return row.code in codes or row.province in provinces
