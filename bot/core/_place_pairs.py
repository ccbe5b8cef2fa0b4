"""The documents' origin areas (knowledge/*.md front matter `areas`): where a guess costs money.

A typo or same-sound match to one of these counties is offered for confirmation, never taken:
马编县 may be 马边, but the worker says so.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from bot.config import POLICY_ROOT
from bot.core import _place_match as match
from bot.core._gazetteer import Division, Gazetteer, gazetteer, normalise

KNOWLEDGE = POLICY_ROOT / "knowledge"


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


def near_miss(table: Gazetteer, key: str, best: float) -> Division | None:
    """The one county of the documents that is as close to ``key`` as any other place (``best``:
    the best typo score of all places), to be confirmed, never taken: 沭川县 ties with 陵川县
    and 沭阳县, but only 沐川县 is paid by a document."""
    from rapidfuzz.distance import OSA

    if not match.looks_like_a_name(key):
        return None
    scores: dict[Division, float] = {}
    for alias, rows in table.names["county"].items():
        for row in (r for r in rows if is_paired(r)):
            scores[row] = max(scores.get(row, 0.0), OSA.normalized_similarity(key, alias))
    top = max(scores.values(), default=0.0)
    near = [row for row, score in scores.items() if score == top]
    if top < match.TYPO_CUTOFF["zh"] or top < best - match.TYPO_MARGIN or len(near) != 1:
        return None
    return near[0]
