"""Knowledge search: which clauses answer a worker's question (``python -m bot ask``).

BM25 over character unigrams and bigrams (Chinese has no spaces; no word segmenter), plus
the worker words of ``knowledge/synonyms.yaml``: a question with 路费 also looks for
交通补助/交通补贴/交通费; and the general synonyms of ``knowledge/thesaurus.tsv`` (同义词词林):
盘缠 -> 路费 (-> 交通补助 through the hand list), 首都 -> 北京. Questions are normalised first
(traditional characters to simplified: bot.core.expansion.normalise). Among the best
``RERANKED`` clauses, those holding what the question asks for (多少 -> a figure, 什么时候 -> a
date or period, 找谁 -> an office: ``bot.core.expansion.INTENTS``) score ``INTENT_BOOST`` more. Each clause is indexed with its title and text. A question that
names a place of one document (``places`` in the same file: 马边, 柯桥, 卓资, 通辽…) ranks
that document's clauses higher (their raw scores times ``1 + PLACE_BOOST``).

Scores are 0..1: ``1 - exp(-raw / ref)``, where ``raw`` is the clause's BM25 score and
``ref`` the score of a clause holding each of the question's known words once at average
length (characters of the question that no document uses count against it). A clause that matches
the question that well scores 0.63; unrelated questions stay low.

Built once per process (``default_index()``; see bench/README.md for figures) as an
inverted index with each posting's BM25 weight precomputed, so a search only adds numbers.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.core.answers import chinese_number
from bot.core.expansion import (
    FUNCTION_WORDS,
    INTENTS,
    PinyinReader,
    Synonyms,
    Thesaurus,
    intents,
    load_synonyms,
    load_thesaurus,
    normalise,
)
from bot.core.knowledge import Clause, load_knowledge

__all__ = ["Hit", "SearchIndex", "Synonyms", "default_index", "load_synonyms", "normalise",
           "search", "terms"]

K1 = 1.2
B = 0.75
PLACE_BOOST = 1.0   # a question naming a document's place: its clauses score double
THESAURUS_WEIGHT = 0.4   # a word reached through the thesaurus (and the hand list after it)
INTENT_BOOST = 0.2   # a clause that holds what the question asks for (a figure, a date, an office)
RERANKED = 10        # ... among the best this many
PINYIN_WEIGHT = 1.0      # a bigram typed in pinyin counts as if typed in characters
# Single characters too common (or too chatty) to mean anything on their own; bigrams keep them.
STOP_CHARS = frozenset("的了吗呢吧啊呀哦嘛么我你他她它们这那是在有和与及或也都就还又很个把被给要会能可不没啥咋怎")
RUN = re.compile(r"[\u3400-\u9fff]+|[0-9]+(?:\.[0-9]+)?|[a-z]+")
# Amounts written either way (五千 / 5000, 三个月 / 3个月, 2万元 / 两万) meet as one number term.
CN_NUMBER = re.compile(r"[零一二两三四五六七八九十百千万]+")
ARABIC_MULTIPLIED = re.compile(r"([0-9]+(?:\.[0-9]+)?)([万千])")
COUNTED = "个年月元块名人次天岁周"


def terms(text: str) -> list[str]:
    """Index terms of ``text``: CJK unigrams (minus stop characters) and bigrams, numbers, words."""
    text = normalise(text)
    out: list[str] = []
    for run in RUN.findall(text):
        if not "\u3400" <= run[0] <= "\u9fff":
            out.append(run)
            continue
        out += [ch for ch in run if ch not in STOP_CHARS]
        out += [run[i:i + 2] for i in range(len(run) - 1)]
    return out + _number_values(text)


def _number_values(text: str) -> list[str]:
    """The values of Chinese numerals (五千 -> "5000") and of 2万 / 5千, as number terms."""
    values = [float(m.group(1)) * (10000 if m.group(2) == "万" else 1000)
              for m in ARABIC_MULTIPLIED.finditer(text)]
    for m in CN_NUMBER.finditer(text):
        numeral, after = m.group(), text[m.end():m.end() + 1]
        if (after and after in COUNTED) or any(ch in "十百千万" for ch in numeral):
            value = _cn_value(numeral)
            if value:
                values.append(value)
    return [str(int(v)) if v == int(v) else str(v) for v in values]


def _cn_value(numeral: str) -> float | None:
    """五千 -> 5000, 三百八 -> 380 (the one numeral parser: bot.core.answers); None if not a number."""
    try:
        return chinese_number(numeral)
    except (ValueError, ArithmeticError):
        return None


@dataclass(frozen=True)
class Hit:
    clause: Clause
    score: float      # 0..1, best first


class SearchIndex:
    """An inverted index: each term's clause numbers and precomputed BM25 weights (numpy)."""

    def __init__(self, clauses: list[Clause], vocabulary: dict[str, int], idf: np.ndarray,
                 starts: np.ndarray, docs: np.ndarray, weights: np.ndarray,
                 synonyms: Synonyms, thesaurus: Thesaurus | None = None) -> None:
        self.clauses = clauses
        self.vocabulary = vocabulary          # term -> term number
        self.idf = idf                        # by term number
        self.starts = starts                  # term t's postings: [starts[t]:starts[t + 1]]
        self._starts = starts.tolist()
        self.docs = docs
        self.weights = weights
        self.synonyms = synonyms
        self.thesaurus = thesaurus or Thesaurus()
        self.max_idf = math.log(1 + (len(clauses) + 0.5) / 0.5)   # idf of a term no clause has
        self._rows: dict[str, np.ndarray] = {}
        self._pinyin: PinyinReader | None = None

    @property
    def pinyin(self) -> PinyinReader:
        """The pinyin reader over this index's bigrams (built on the first pinyin question)."""
        if self._pinyin is None:
            asks = [word for asks, _ in self.synonyms.groups for word in asks]
            self._pinyin = PinyinReader([*self.vocabulary, *asks])
        return self._pinyin

    def _rows_of(self, doc: str) -> np.ndarray:
        """The clause numbers of document ``doc``."""
        if doc not in self._rows:
            self._rows[doc] = np.array([i for i, c in enumerate(self.clauses) if c.doc == doc],
                                       dtype=np.int64)
        return self._rows[doc]

    @classmethod
    def build(cls, clauses: Iterable[Clause], synonyms: Synonyms | None = None,
              thesaurus: Thesaurus | None = None) -> SearchIndex:
        """Index ``clauses`` (title and text); ``synonyms`` and ``thesaurus`` expand questions."""
        clauses = list(clauses)
        n = len(clauses)
        keys: list[str] = []          # (clause, term) pairs, flat: the term ...
        tfs: list[int] = []           # ... and how often it occurs in the clause
        sizes = np.zeros(n, dtype=np.int64)
        lengths = np.zeros(n, dtype=np.float64)
        for i, clause in enumerate(clauses):
            counts = Counter(terms(f"{clause.title}\n{clause.text}"))
            keys += counts.keys()
            tfs += counts.values()
            sizes[i], lengths[i] = len(counts), sum(counts.values())
        vocabulary = {t: i for i, t in enumerate(dict.fromkeys(keys))}
        term_arr = np.fromiter(map(vocabulary.__getitem__, keys), dtype=np.int64, count=len(keys))
        order = np.argsort(term_arr, kind="stable")
        term_arr = term_arr[order]
        docs = np.repeat(np.arange(n, dtype=np.int32), sizes)[order]
        tf = np.asarray(tfs, dtype=np.float64)[order]
        df = np.bincount(term_arr, minlength=len(vocabulary)).astype(np.float64)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        avg = lengths.mean() if n else 1.0
        norm = K1 * (1 - B + B * lengths[docs] / avg)
        weights = (idf[term_arr] * tf * (K1 + 1) / (tf + norm)).astype(np.float32)
        starts = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
        return cls(clauses, vocabulary, idf, starts, docs, weights, synonyms or Synonyms(),
                   thesaurus)

    def expansions(self, question: str) -> list[tuple[str, tuple[str, ...], float]]:
        """(word of the question, the words it also means, their weight): the hand list's
        groups, then the thesaurus's (whose targets go through the hand list once more) for
        the words the documents do not use themselves (a paraphrase, not a document word)."""
        text = normalise(question)
        found = [(word, means, self.synonyms.weight) for word, means in self.synonyms.matches(text)]
        for word, targets in self.thesaurus.matches(text):
            if word in FUNCTION_WORDS or self._uses(word):
                continue
            chained = [m for _, more in self.synonyms.matches(" ".join(targets)) for m in more]
            found.append((word, tuple(dict.fromkeys(targets + tuple(chained))), THESAURUS_WEIGHT))
        if re.search(r"[a-z]{4}", text):
            read = self.pinyin.matches(text)
            found += [(word, means, PINYIN_WEIGHT) for word, means in read]
            found += [(word, means, self.synonyms.weight) for word, _ in read
                      for _, means in self.synonyms.matches("".join(dict(read)[word]))]
        return found

    def _uses(self, word: str) -> bool:
        """Whether the documents use ``word`` (each of its bigrams, for longer words)."""
        return all(word[i:i + 2] in self.vocabulary for i in range(len(word) - 1))

    def query(self, question: str) -> tuple[dict[int, float], float, str]:
        """The weighted term numbers to look up, ``ref`` (see the module docstring), and the
        words the question also means (joined)."""
        asked = set(terms(question))
        expansions = self.expansions(question)
        # Words typed in pinyin count as typed in characters.
        asked |= {t for word, means, weight in expansions
                  if word.isascii() and weight == PINYIN_WEIGHT for m in means for t in terms(m)}
        wanted = {self.vocabulary[t]: 1.0 for t in asked if t in self.vocabulary}
        for _, means, weight in expansions:
            for t in {t for word in means for t in terms(word)}:
                number = self.vocabulary.get(t)
                if number is not None and wanted.get(number, 0.0) < weight:
                    wanted[number] = weight
        ref = sum(float(self.idf[self.vocabulary[t]]) for t in asked if t in self.vocabulary)
        unknown = [t for t in asked if len(t) == 1 and not t.isascii() and t not in self.vocabulary]
        ref += self.max_idf * len(unknown)
        return wanted, ref, " ".join(m for _, means, _ in expansions for m in means)

    def search(self, question: str, top: int = 5, context: str = "") -> list[Hit]:
        """The ``top`` clauses that best answer ``question``, best first; [] when none matches.

        ``context`` (e.g. the asker's home county and work city) only ranks the documents of
        the places it names higher; its words are not searched for.
        """
        wanted, ref, meant = self.query(question)
        if top < 1 or not wanted or ref <= 0:
            return []
        spans = [(self._starts[t], self._starts[t + 1], w) for t, w in wanted.items()]
        docs = np.concatenate([self.docs[a:b] for a, b, _ in spans])
        weights = np.concatenate([self.weights[a:b] for a, b, _ in spans])
        weights *= np.repeat(np.array([w for _, _, w in spans], dtype=np.float32),
                             [b - a for a, b, _ in spans])
        scores = np.bincount(docs, weights=weights, minlength=len(self.clauses))
        for doc in self.synonyms.documents_named(f"{question} {context} {meant}"):
            scores[self._rows_of(doc)] *= 1 + PLACE_BOOST
        pool = min(len(scores), max(top, RERANKED))
        candidates = np.argpartition(-scores, pool - 1)[:pool] if pool < len(scores) else np.arange(pool)
        answers = [INTENTS[name][1] for name in intents(normalise(question))]
        for i in candidates.tolist() if answers else ():
            if any(pattern.search(self.clauses[i].text) for pattern in answers):
                scores[i] *= 1 + INTENT_BOOST
        best = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))[:top]
        return [Hit(self.clauses[i], 1 - math.exp(-float(scores[i]) / ref))
                for i in best if scores[i] > 0]


@lru_cache(maxsize=1)
def default_index() -> SearchIndex:
    """The index over ``load_knowledge()``, the hand list and the thesaurus (built once)."""
    return SearchIndex.build(load_knowledge().all_clauses(), load_synonyms(), load_thesaurus())


def search(question: str, top: int = 5, context: str = "") -> list[Hit]:
    """Search the knowledge base: the ``top`` clauses for ``question``, best first."""
    from bot.core.live import refresh

    refresh()
    return default_index().search(question, top, context)
