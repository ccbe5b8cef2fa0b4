"""A free question answered: the sentence that answers, whether the documents answer at all,
and what the asker must know besides.

- ``sentence``: of the clause's sentences (cut at 。；！？ and line ends, verbatim), the one
  sharing the most of the question's weighted terms; a question about an amount (多少, 几百)
  prefers a sentence with a figure, one about a date (什么时候, 截止) a date or period, one
  about an office (找谁, 去哪) an office, one about materials (带什么) what to bring.
- ``answered``: the question's *content* is what is left after the words of asking
  (``FUNCTION_WORDS``: 怎么, 多少, 吗 …), the generic words of every question here (补贴, 钱,
  政策, 申请 …) and the numbers it gives. Each content character weighs its rarity in the
  documents (idf; a character no document uses weighs most). It is covered when a bigram
  around it is in the best clause, or a hand-list / thesaurus word it belongs to leads to a
  word of that clause, or it is part of a place the documents cover. The documents answer
  when the covered share reaches ``ANSWERED_AT``, and never when every place the question
  names lies outside them. A question with no content (给多少钱啊, 啥子补贴) is answered by
  the best clause (in context) when it asks for an amount, date, office or materials or
  names what the documents are about (补贴, 政策 …), else not (有啥, 嗯嗯).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.coverage import covered_places, document_note, named_places
from bot.core.expansion import FUNCTION_WORDS, INTENTS, intents, normalise
from bot.core.knowledge import Clause, load_knowledge
from bot.core.render import text

if TYPE_CHECKING:
    from bot.core.search import Hit, SearchIndex

__all__ = ["Answer", "Found", "best_sentence", "compose", "intents"]

KNOWN_AT = 0.2       # share of the content the documents know (negatives: 0, positives: >= 0.25)
COVERED_AT = 0.15    # share of the content the best clause holds
SHOWN = 3                 # clauses shown in a reply at most
SHOWN_FROM = 0.5          # ... those scoring at least this share of the best
DOMAIN_WORDS = ("补贴", "补助", "补偿", "政策", "待遇", "享受", "领取", "申请", "办理", "报销", "发放", "钱")
GENERIC_WORDS = (*DOMAIN_WORDS, "块", "领", "办", "拿", "发", "报", "补", "贴", "多", "少", "点", "些", "儿",
                 "情况", "问题", "规定", "现在", "今年", "还")
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?[万千百]?[个块元年月天人名次岁号日]*"
                    r"|[零一二两三四五六七八九十百千万半]{2,}[个块元年月天人名次岁号日]*"
                    r"|[零一二两三四五六七八九十半][个块元年月天人名次岁号日]+")
NOT_CONTENT = re.compile("|".join(sorted(map(re.escape, (*FUNCTION_WORDS, *GENERIC_WORDS)),
                                       key=len, reverse=True)))
SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")
@dataclass(frozen=True)
class Found:
    """A clause found for a question, with the sentence of it that answers."""

    clause: Clause
    score: float
    sentence: str


@dataclass
class Answer:
    question: str
    answered: bool
    results: list[Found]
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        """The notes as one text (the contract's ``note``), or None."""
        return "".join(self.notes) or None

    def shown(self) -> list[Found]:
        """The clauses a reply shows: the best, and up to two near it."""
        if not self.results:
            return []
        best = self.results[0].score
        return [f for f in self.results[:SHOWN] if f.score >= best * SHOWN_FROM]


def compose(question: str, hits: list[Hit], as_of: date, index: SearchIndex | None = None) -> Answer:
    """Turn search hits into an answer: best sentences, ``answered``, notes."""
    from bot.core.search import default_index

    index = index or default_index()
    asked = normalise(question)
    weights = _term_weights(index, question)
    wants = intents(asked)
    found = [Found(h.clause, h.score, best_sentence(h.clause, weights, wants)) for h in hits]
    places = named_places(asked)
    outside = [name for name, covered in places if not covered]
    notes = [_place_note(outside)] if outside else []
    answered = bool(found) and not (places and len(outside) == len(places))
    if answered:
        answered = _answers(index, asked, found[0].clause, places, wants)
    if answered:
        notes += _document_notes(found, as_of)
    return Answer(question, answered, found, notes)


def best_sentence(clause: Clause, weights: dict[str, float], wants: list[str]) -> str:
    """The sentence of ``clause.text`` that best answers (verbatim; the whole text if one)."""
    body = _sentences(clause.text, getattr(clause, "title", ""))
    if not body:
        return clause.text

    def rank(item: tuple[str, frozenset[str]]) -> tuple[bool, float]:
        sentence, sentence_terms = item
        overlap = sum(weights.get(t, 0.0) for t in sentence_terms)
        fits = any(INTENTS[w][1].search(sentence) for w in wants)
        return overlap > 0 and fits, overlap

    return max(body, key=rank)[0].strip()


@lru_cache(maxsize=4096)
def _sentences(clause_text: str, title: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The clause's sentences (without the one that only repeats the title) and their terms."""
    from bot.core.search import terms

    sentences = [s for s in SENTENCE.findall(clause_text) if s.strip()]
    body = [s for s in sentences if s.strip() != f"{title}。"] or sentences
    return tuple((s, frozenset(terms(s))) for s in body)


def _term_weights(index: SearchIndex, question: str) -> dict[str, float]:
    """Each term of the question (and of its expansions, at their weight) times its idf."""
    from bot.core.search import terms

    def idf(term: str) -> float:
        number = index.vocabulary.get(term)
        return float(index.idf[number]) if number is not None else 0.0

    weights = {t: idf(t) for t in terms(question)}
    for _, means, weight in index.expansions(question):
        for t in {t for word in means for t in terms(word)}:
            weights[t] = max(weights.get(t, 0.0), weight * idf(t))
    return weights


def _answers(index: SearchIndex, asked: str, clause: Clause, places: list[tuple[str, bool]], wants: list[str]) -> bool:
    """Whether the best clause answers the question (module docstring)."""
    shares = content_shares(index, asked, clause, places)
    if shares is None:   # 给多少钱啊, 啥子补贴: the asker's own documents answer (in context)
        return bool(wants) or any(word in asked for word in DOMAIN_WORDS)
    known, covered = shares
    return known >= KNOWN_AT and covered >= COVERED_AT


def content_shares(index: SearchIndex, asked: str, clause: Clause, places: list[tuple[str, bool]]) -> tuple[float, float] | None:
    """(share of the content the documents know, share the best clause holds), by weight;
    None when the question has no content."""
    content = _content_mask(asked)
    if not any(content):
        return None
    body = normalise(f"{getattr(clause, 'title', '')}\n{clause.text}")
    known = [False] * len(asked)
    covered = [False] * len(asked)
    for i in range(len(asked) - 1):
        pair = asked[i:i + 2]
        if pair in index.vocabulary:
            known[i] = known[i + 1] = True
        if pair in body:
            covered[i] = covered[i + 1] = True
    for word, means, _ in index.expansions(asked):
        _mark(known, asked, word)
        if any(m in body for m in means):
            _mark(covered, asked, word)
    for name, ok in places:
        if ok:
            _mark(known, asked, name)
            _mark(covered, asked, name)
    for run in re.finditer(r"[a-z0-9]+|[\u3400-\u9fff]", asked):
        word = run.group()
        if (len(word) == 1 and not word.isascii()) and not _alone(content, run.start()):
            continue
        if word in index.vocabulary:
            _mark(known, asked, word, run.start())
        if word in body:
            _mark(covered, asked, word, run.start())
    total = sum(_char_weight(index, ch) for ch, c in zip(asked, content, strict=True) if c)
    share = [sum(_char_weight(index, ch) for ch, c, m in zip(asked, content, marks, strict=True)
                 if c and m) / total
             for marks in (known, covered)]
    return share[0], share[1]


def is_vague(question: str) -> bool:
    """Whether the question names nothing beyond asking (多少钱, 能领啥): only the asker's own
    documents can answer it, so without knowing where they are from it is not answered."""
    return not any(_content_mask(normalise(question)))


def _mark(marks: list[bool], asked: str, word: str, at: int | None = None) -> None:
    for start in [at] if at is not None else _positions(asked, word):
        marks[start:start + len(word)] = [True] * len(word)


def _alone(content: list[bool], i: int) -> bool:
    """Whether content character ``i`` stands alone (no content character beside it)."""
    return not (i > 0 and content[i - 1]) and not (i + 1 < len(content) and content[i + 1])


def _content_mask(asked: str) -> list[bool]:
    """True where a character of the question is content (not asking, generic or a number)."""
    mask = [ch.isalnum() for ch in asked]
    for word in NOT_CONTENT.finditer(asked):
        mask[word.start():word.end()] = [False] * (word.end() - word.start())
    for number in NUMBER.finditer(asked):
        mask[number.start():number.end()] = [False] * (number.end() - number.start())
    return mask


def _positions(text_in: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text_in)]


def _char_weight(index: SearchIndex, ch: str) -> float:
    """How much a character says: its idf in the documents (the most when none uses it)."""
    number = index.vocabulary.get(ch)
    return float(index.idf[number]) if number is not None else index.max_idf


def _place_note(outside: list[str]) -> str:
    places = covered_places()
    return text("ask.place_not_covered", names=outside, regions=places["regions"],
                areas=places["areas"])


def _document_notes(found: list[Found], as_of: date) -> list[str]:
    """One note per ended document among the clauses shown (best first)."""
    documents = load_knowledge().documents
    notes: list[str] = []
    for item in Answer("", True, found).shown():
        document = documents.get(item.clause.doc)
        note = document_note(document, as_of) if document else None
        if note and note not in notes:
            notes.append(note)
    return notes
