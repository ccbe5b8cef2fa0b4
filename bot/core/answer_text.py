"""The base of answer parsing: cleaning typed text, Chinese numerals, a value with a confidence.

Numerals are read by cn2an (``三百零五`` → 305, ``三百八`` → 380, ``两万三`` → 23000) and
traditional characters are turned into simplified ones by OpenCC (``脫貧戶`` → ``脱贫户``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import opencc

MAX_DIGITS = 10            # longer numbers are not answers (and would be slow to read)
FILLER = re.compile(r"[\s，,。.!！?？~～、…]+$|^[\s，,。!！?？~～、…]+")
# 俩 and 仨 are spoken 2 and 3 that cn2an does not know; 〇 it reads already.
SPOKEN_DIGITS = str.maketrans({"俩": "两", "仨": "三"})
T = TypeVar("T")
WIDTH = str.maketrans("０１２３４５６７８９．－／：", "0123456789.-/:")


class NotUnderstood(ValueError):
    """The text is not an answer of the expected kind (``reason`` names why, in English)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Reading(Generic[T]):
    """A parsed answer with its confidence.

    ``sure`` is False when the value was inferred (from a denial, a hedge such as 应该是吧, or
    a vague word): the person is asked to confirm it. ``denied`` is a value the person said
    they are not (shown back: "普通农村，不是脱贫户？").
    """

    value: T
    sure: bool = True
    denied: Any = None
    high: Any = None          # the upper end of a range (``value`` is its lower end)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    """The OpenCC traditional -> simplified converter (built once)."""
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``應該是吧`` → ``应该是吧``; plain simplified text comes back unchanged."""
    try:
        converted: str = _t2s().convert(text)  # OpenCC's convert() is not annotated
        return converted
    except (UnicodeError, ValueError):  # lone surrogates and the like: leave the text as it is
        return text


def clean(text: str) -> str:
    """Simplified characters, full-width digits to ASCII, no spaces or edge punctuation, lower case."""
    text = simplified(str(text)).translate(WIDTH)
    return FILLER.sub("", text.strip()).lower()


def chinese_number(text: str) -> float:
    """A number in Chinese or Arabic numerals: ``三百零五`` → 305, ``1.5万`` → 15000.

    cn2an reads the spoken shorthand too (``三百八`` = 380, ``一千二`` = 1200, ``两万三`` =
    23000) and digit strings (``二〇二四`` = 2024); only 俩/仨 are mapped by hand.
    """
    value = clean(text).translate(SPOKEN_DIGITS)
    if not value or len(re.sub(r"\D", "", value)) > MAX_DIGITS or len(value) > 2 * MAX_DIGITS:
        raise NotUnderstood(f"not a number: {text[:40]}")
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    import cn2an  # imported on first use: it costs 0.1 s, and most commands never need it

    try:
        number = cn2an.cn2an(value, "smart")
    except Exception:  # noqa: BLE001 - cn2an raises several kinds for text that is no number
        raise NotUnderstood(f"not a number: {text[:40]}") from None
    return float(number)
