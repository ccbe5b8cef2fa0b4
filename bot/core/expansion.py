"""What a question's words also mean: text normalisation, the hand list and the thesaurus.

- ``normalise``: NFKC (full-width to ASCII), lower case, traditional to simplified (OpenCC t2s).
- ``Synonyms`` (``knowledge/synonyms.yaml``, written by hand): worker words -> document words,
  for the domain (路费 -> 交通补助), and the places that point to one document.
- ``Thesaurus`` (``knowledge/thesaurus.tsv``, built by ``tools/build_thesaurus.py`` from the
  同义词词林 synonym groups): general words -> the words the documents or the hand list use
  (盘缠 -> 路费, 首都 -> 北京, 关门 -> 倒闭).
- ``PinyinReader``: typed pinyin read as the documents' words (zufang -> 租房).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

import yaml

from bot.config import POLICY_ROOT
from bot.core.errors import RulesError

if TYPE_CHECKING:
    import opencc

__all__ = ["FUNCTION_WORDS", "INTENTS", "PinyinReader", "Synonyms", "Thesaurus", "intents", "load_synonyms", "load_thesaurus", "normalise"]

THESAURUS = POLICY_ROOT / "knowledge" / "thesaurus.tsv"
# How people ask, not what they ask about: never expanded through the thesaurus, and not
# counted as the question's content (bot.core.answering). Longest first.
FUNCTION_WORDS = (
    "什么时候", "啥时候", "几时", "怎么办", "怎么样", "怎么", "怎样", "咋样", "咋办", "咋", "什么", "啥子",
    "啥", "多少钱", "多少", "几个", "几", "哪些", "哪天", "哪年", "哪个", "哪里", "哪儿", "哪", "谁",
    "为什么", "如何", "是不是", "有没有", "能不能", "可不可以", "可以", "请问", "想问", "问一下", "问问",
    "知道", "一下", "我们", "我", "俺", "你们", "你", "他们", "这个", "那个", "这些", "那些", "还能",
    "能否", "是否", "吗", "呢", "吧", "啊", "呀", "嘛", "么", "哦", "喔", "的", "了", "是", "有", "能",
    "要", "会", "给", "在", "去", "来", "和", "就", "还", "也", "都", "不", "没", "这", "那", "个", "冇",
)


# What a question asks for (its words), and what a sentence that answers it holds.
INTENTS = {
    "amount": (re.compile(r"多少|几[百千万块元个钱]|给几|补几|标准|金额|多钱"),
               re.compile(r"[0-9]+(?:\.[0-9]+)?万?(?:元|人|个|名|%)|不超过|据实")),
    "date": (re.compile(r"什么时候|啥时候|几时|哪天|哪年|截止|到期|期限|有效期|多久|几号|还能领|过期|结束"),
             re.compile(r"[0-9]{4}年|[0-9]+月[0-9]+日|期限|截止|有效期|之日|年底")),
    "office": (re.compile(r"哪里|哪儿|去哪|找谁|谁|哪个部门|在哪|负责|管"),
               re.compile(r"局|部门|中心|责任单位|负责|机构")),
    "materials": (re.compile(r"材料|带什么|带啥|要什么|要啥|手续|证明"),
                  re.compile(r"材料|证明|证书|合同|提供|台账")),
}


def intents(question: str) -> list[str]:
    """What the question asks for: amount, date, office, materials (any number of them)."""
    return [name for name, (asks, _) in INTENTS.items() if asks.search(question)]


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), lower case, simplified characters; a lone
    surrogate (no character at all, which OpenCC cannot encode) becomes "?"."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    converted: str = _t2s().convert(unicodedata.normalize("NFKC", text).lower())  # convert() is not annotated
    return converted


@dataclass(frozen=True)
class Synonyms:
    """Worker words -> document words: ``groups`` of (asks, means); ``weight`` of an added word;
    ``places``: (document id, the place names that point to it)."""

    groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    weight: float = 0.5
    places: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def documents_named(self, question: str) -> set[str]:
        """The documents whose places ``question`` names."""
        text = normalise(question)
        return {doc for doc, names in self.places if any(name in text for name in names)}

    def matches(self, question: str) -> list[tuple[str, tuple[str, ...]]]:
        """(worker word found in ``question``, the document words it means)."""
        text = normalise(question)
        return [(word, means) for asks, means in self.groups for word in asks if word in text]

    def expand(self, question: str) -> list[str]:
        """The document words to look for as well, for each worker word in ``question``."""
        added: list[str] = []
        for _, means in self.matches(question):
            added += [m for m in means if m not in added]
        return added


@dataclass(frozen=True)
class Thesaurus:
    """General synonyms: ``words`` maps a word to the document / hand-list words it means."""

    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    longest: int = 0

    def matches(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """(word found in the normalised ``text``, its targets), longest words first at each place."""
        found: list[tuple[str, tuple[str, ...]]] = []
        for start in range(len(text) - 1):
            for end in range(min(len(text), start + self.longest), start + 1, -1):
                targets = self.words.get(text[start:end])
                if targets:
                    found.append((text[start:end], targets))
                    break
        return found


def load_synonyms(path: Path = POLICY_ROOT / "knowledge" / "synonyms.yaml") -> Synonyms:
    """Read ``knowledge/synonyms.yaml`` (RulesError naming the file and group when malformed)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"同义词文件 {path.name} 无法读取", f"synonyms file {path.name}: {exc}") from None
    if not isinstance(data, dict):
        data = {"groups": [None]}
    groups = []
    for n, group in enumerate(data.get("groups") or [], 1):
        group = group if isinstance(group, dict) else {}
        asks, means = group.get("ask"), group.get("means")
        if not (_words(asks) and _words(means)):
            raise RulesError(f"同义词文件 {path.name} 第 {n} 组要有 ask 和 means 两个词表",
                             f"synonyms file {path.name}, group {n}: needs lists 'ask' and 'means'")
        groups.append((tuple(normalise(a) for a in asks), tuple(means)))
    weight = data.get("weight", 0.5)
    if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
        raise RulesError(f"同义词文件 {path.name} 的 weight 要在 0 和 1 之间",
                         f"synonyms file {path.name}: weight must be in (0, 1]")
    places = data.get("places") or {}
    if not isinstance(places, dict) or not all(_words(names) for names in places.values()):
        raise RulesError(f"同义词文件 {path.name} 的 places 要写成 文件编号: [地名, …]",
                         f"synonyms file {path.name}: places must map document ids to name lists")
    named = tuple((doc, tuple(normalise(n) for n in names)) for doc, names in places.items())
    return Synonyms(tuple(groups), float(weight), named)


def load_thesaurus(path: Path = THESAURUS) -> Thesaurus:
    """Read ``knowledge/thesaurus.tsv`` (an empty thesaurus when the file is absent)."""
    if not path.exists():
        return Thesaurus()
    words: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, targets = line.partition("\t")
            if targets.split():   # the build writes simplified, lower-case words
                words[word] = tuple(targets.split())
    return Thesaurus(words, max((len(w) for w in words), default=0))


def _words(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)


def _readings(chars: list[str]) -> dict[str, str]:
    """Each character's most common toneless reading: from the gazetteer's table (already
    loaded, generated from pypinyin), else from pypinyin itself (its import costs ~0.6 s)."""
    try:
        from bot.core._place_sound import char_readings

        table = char_readings()
        if all(c in table for c in chars):
            return {c: table[c][0] for c in chars}
    except (ImportError, AttributeError, LookupError, OSError):
        pass
    from pypinyin import lazy_pinyin

    return dict(zip(chars, lazy_pinyin(chars, errors="ignore"), strict=False))


class PinyinReader:
    """Typed pinyin (``shaoxing zufang butie``) -> the documents' bigrams read that way.

    Built from the index vocabulary: each character's usual toneless reading (pypinyin), each
    bigram's reading as the two joined. A latin word is read only when it splits wholly into
    known syllables (at least two), so English words and gibberish stay as they are.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        words = [t for t in vocabulary if len(t) == 2 and all("\u3400" <= c <= "\u9fff" for c in t)]
        reading = _readings(sorted({c for t in words for c in t}))
        self.syllables = frozenset(reading.values())
        self.longest = max((len(s) for s in self.syllables), default=0)
        self.bigrams: dict[str, list[str]] = {}
        for word in words:
            key = f"{reading.get(word[0], '')} {reading.get(word[1], '')}"
            self.bigrams.setdefault(key, []).append(word)

    def split(self, word: str) -> list[str] | None:
        """``zufang`` -> ["zu", "fang"] (longest syllables first, backtracking); None if it won't."""
        failed: set[int] = set()   # positions the rest cannot be split from (keeps it linear)

        def rest(at: int) -> list[str] | None:
            if at == len(word):
                return []
            if at in failed:
                return None
            for end in range(min(len(word), at + self.longest), at, -1):
                if word[at:end] in self.syllables:
                    tail = rest(end)
                    if tail is not None:
                        return [word[at:end], *tail]
            failed.add(at)
            return None

        return rest(0)

    def matches(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """(latin word of ``text``, the bigrams its syllables read as) for each pinyin word."""
        found = []
        for word in re.findall(r"[a-z]{4,}", text):
            parts = self.split(word) if len(word) <= 30 else None
            if not parts or len(parts) < 2:
                continue
            means = [b for a, c in pairwise(parts) for b in self.bigrams.get(f"{a} {c}", [])]
            if means:
                found.append((word, tuple(dict.fromkeys(means))))
        return found
