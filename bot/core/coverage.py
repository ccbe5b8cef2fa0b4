"""What the documents cover: the places a question names, and whether a document has ended.

Covered places come from the documents' metadata (``areas``: the home counties they pair
with; ``region``: where they apply) and from their text (重庆's notice speaks of 山东), never
from a hand list, so a new document brings its places with it.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.knowledge import Document, load_knowledge
from bot.core.render import text

if TYPE_CHECKING:
    from bot.core._gazetteer import Division, Gazetteer

__all__ = ["covered_places", "document_note", "named_places", "place_label"]

LEVELS = ("province", "city", "county")
REGION_UNIT = re.compile(r".+?(?:自治区|省|市|自治州|地区|盟|县|区|旗)")


def place_label(document: Document) -> str:
    """The last unit of a document's region: 北京市朝阳区 -> 朝阳区, 浙江省绍兴市 -> 绍兴市."""
    region = str(document.meta.get("region") or "")
    units = REGION_UNIT.findall(region)
    return units[-1] if units else (region or document.id)


@lru_cache(maxsize=1)
def _covered_labels() -> tuple[tuple[str, ...], str]:
    """Full labels of every document's region and areas, and all clause text."""
    from bot.core._gazetteer import gazetteer

    table = gazetteer()
    labels: list[str] = []
    for document in load_knowledge().documents.values():
        labels.append(str(document.meta.get("region") or ""))
        for area in document.areas:
            rows = table.names["county"].get(area, [])
            labels += [row.label() for row in rows] or [area]
    body = "".join(c.text for c in load_knowledge().all_clauses())
    return tuple(label for label in labels if label), body


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    from bot.core._place_cues import common_words

    return common_words()


def named_places(question: str) -> list[tuple[str, bool]]:
    """(place name as typed, whether a document covers it) for each place ``question`` names:
    province, city or county names and their short forms (深圳, 兰考县, 四川), longest first."""
    from bot.core._gazetteer import gazetteer

    table = gazetteer()
    found: list[tuple[str, bool]] = []
    start = 0
    while start < len(question) - 1:
        hit = _place_at(table, question, start)
        if hit:
            name, rows = hit
            found.append((name, any(_covers(row) for row in rows) or name in _covered_labels()[1]))
            start += len(name)
        else:
            start += 1
    return found


def _place_at(table: Gazetteer, question: str, start: int) -> tuple[str, list[Division]] | None:
    """The longest place name that starts at ``start`` (everyday words such as 东方 left out)."""
    for end in range(min(len(question), start + table.longest), start + 1, -1):
        name = question[start:end]
        rows = [row for level in LEVELS for row in table.names[level].get(name, [])]
        if rows and name not in _common_words():
            return name, rows
    return None


def _covers(row: Division) -> bool:
    """Whether a document's region or areas lie inside this division, or it inside them."""
    label = row.label()
    return any(row.name in covered or covered in label for covered in _covered_labels()[0])


def covered_places() -> dict[str, list[str]]:
    """Where the documents apply (their regions, full names) and the home areas they pair with
    that lie outside every region."""
    from bot.core._gazetteer import gazetteer

    documents = load_knowledge().documents.values()
    regions = list(dict.fromkeys(str(d.meta.get("region") or place_label(d)) for d in documents))
    areas = []
    for area in (a for d in documents for a in d.areas):
        labels = [row.label() for row in gazetteer().names["county"].get(area, [])] or [area]
        if not any(label.startswith(region) for label in labels for region in regions):
            areas.append(area)
    return {"regions": regions, "areas": list(dict.fromkeys(areas))}


def document_note(document: Document, as_of: date) -> str | None:
    """A document whose period has ended (and whether claims are still taken), else None."""
    end = document.period_end
    if end is None or as_of <= end:
        return None
    deadline = document.claim_deadline
    place = place_label(document)
    if deadline and as_of <= deadline:
        return text("ask.claim_window", place=place, end=end, deadline=deadline)
    return text("ask.ended", place=place, end=end)
