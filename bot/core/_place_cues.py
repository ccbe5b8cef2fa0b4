"""Spot a home county inside a free-text sentence, only right after a cue word."""
from __future__ import annotations

import re
from functools import lru_cache

from bot.config import POLICY_ROOT
from bot.core import _place_match as match
from bot.core._gazetteer import Division, Gazetteer, normalise

CUE = re.compile(r"老家|家乡|来自|户口|户籍|家在|家住|我是|俺是|我们是")
WEAK_CUES = {"我是", "俺是", "我们是"}       # often followed by words that are not places
FILLERS = set("在是从于为所地:：")           # 老家在…, 户口所在地是…, 来自于…
STOP = re.compile(r"[，。,.!！?？；;、\s的人]")
SPAN = 20
AT = re.compile(r"^(?:我|俺)?(?:现在|目前|一直)?在")
TRAIL = re.compile(r"(?:的|人|这边|那边|那里|这里|县城|城里|乡下|农村|打工|上班|工作|做工|干活)+$")
COMMON_WORDS = POLICY_ROOT / "knowledge" / "places" / "common_words.txt"


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Place names that are also everyday words (knowledge/places/common_words.txt)."""
    lines = COMMON_WORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


def bare_names(key: str) -> list[str]:
    """The typed answer without the words around the name: 我是马边的 -> 马边, 在绍兴打工 -> 绍兴."""
    at = AT.match(key)
    heads = [key[at.end():]] if at else []
    cue = CUE.match(key)
    if cue:
        rest = key[cue.end():]
        heads += [rest[skip:] for skip in range(5) if skip == 0 or (
            skip <= len(rest) and rest[skip - 1] in FILLERS)]
    bare = [TRAIL.sub("", head) for head in [key, *heads]] + heads
    return [name for name in dict.fromkeys(bare) if name and name != key]


def _decision(table: Gazetteer, span: str, weak: bool) -> tuple[bool, Division | None]:
    """(decided, county) for the longest start of ``span`` that names a place."""
    for length in range(len(span), 1, -1):
        key = normalise(span[:length])
        matches, mentions = match.exact(table, key)
        if not matches and not mentions:
            continue
        if weak and key in common_words():
            return True, None
        return True, matches[0] if len(matches) == 1 and not mentions else None
    return False, None


def county_after_cue(table: Gazetteer, sentence: str) -> Division | None:
    """The county named right after a cue word; None when none or when unsure."""
    for cue in CUE.finditer(sentence):
        after = STOP.split(sentence[cue.end():cue.end() + SPAN], maxsplit=1)[0]
        for skip in range(5):
            if skip and (skip > len(after) or after[skip - 1] not in FILLERS):
                break
            decided, row = _decision(table, after[skip:], cue.group() in WEAK_CUES)
            if decided:
                if row:
                    return row
                break
    return None
