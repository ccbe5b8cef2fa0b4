"""Tolerant parsing of typed answers: 三个月, 快两年, 去年年底, 嗯, 我不是脱贫户, 三百零五.

``read_*`` return a :class:`Reading` (a value with a confidence); ``parse_*`` return the
plain value. Both raise :class:`NotUnderstood` for text that is no answer of the kind.
Negation (不是/没有/没/非/不属于 before a category or a yes/no) is understood.
"""
from __future__ import annotations

import re

from bot.core.answer_text import NotUnderstood, Reading, chinese_number, clean, simplified
from bot.core.answer_time import parse_date, parse_months, read_date, read_months

__all__ = [
    "Denied", "NotUnderstood", "Reading", "chinese_number", "clean", "parse_category",
    "parse_certificate", "parse_date", "parse_months", "parse_number", "parse_unknown",
    "parse_yes_no", "read_category", "read_certificate", "read_date", "read_months",
    "read_number", "read_yes_no", "says_first_time", "simplified", "without_cues",
]

NEGATION = re.compile(r"不是|没有|没|非|不属于|不算|不|无|未|木有")
HEDGE = re.compile(r"应该|好像|可能|大概|也许|估计|或许|似乎|大约|左右|差不多|约|吧$|吧[，,]|来块|来元")
NUMBER_NOISE = re.compile(
    r"块钱|块|元|人民币|个人|个|人|名|左右|大概|大约|差不多|约|估计|应该|好像|来回|单程|一趟|车费|路费|"
    r"花了|要|是|的|吧|钱")
NO_START = ("没有", "不是", "没", "无", "否", "不", "非", "木有", "no", "n")
NO_PHRASES = ("宿舍", "包住", "单位提供", "厂里住", "公司提供", "住厂里",
              "亲戚家", "朋友家", "老乡家", "自己家的房", "买的房")   # housing not rented
YES_START = ("是", "对", "有", "嗯", "好", "行", "可以", "要", "租", "yes", "y", "ok", "应该是", "好像是",
             "可能是", "大概是", "应该有", "好像有", "可能有", "自己租")
NEGATED_VERB = re.compile(r"(不|没|无|非|未)(是|有|租|在|参加|培训|去|办|当|算|属于)")
AMOUNT = re.compile(r"[0-9零〇一二两三四五六七八九十百千半]+\s*(个月|年|月|块|元|天|号)")
UNKNOWN_WORDS = ("不知道", "不清楚", "忘了", "记不清", "不记得", "说不准", "不晓得", "搞不清")
CATEGORY_WORDS = (
    ("monitored", r"监测|边缘|防返贫|易致贫|防贫"),
    ("rural_low_income", r"低保|低收入"),
    ("poverty_alleviated", r"脱贫|建档立卡|建.{0,2}档|贫困户|贫困|扶贫户"),
    ("rural_other", r"普通农村|农村|农民|农户|种地|种田|务农|农业户口"),
    ("other", r"其他|其它|城镇|城里|城市户口|都不是|都不算|哪个都不"),
)
NAMED_ORDINARY = re.compile(r"普通|一般")
CERTIFICATE_WORDS = (
    ("junior", r"初级|五级"),
    ("intermediate", r"中级|四级"),
    ("senior", r"高级|三级|技师"),
)
NO_CERTIFICATE = re.compile(r"没|无|不|木有")   # with no level named: no certificate


class Denied(NotUnderstood):
    """Only denials (不是监测户): what the person is not, but not what they are."""

    def __init__(self, denied: list[str]) -> None:
        super().__init__("denied only")
        self.denied = denied


def read_number(text: str) -> Reading[float]:
    """A plain amount or count: ``三百零五`` 305, ``380块``, ``来回三百八``; ``大概三百`` to confirm."""
    value = clean(text)
    if value in ("没有", "没", "无", "零", "没花", "没花钱", "不要钱", "免费"):
        return Reading(0.0)
    number = NUMBER_NOISE.sub("", value)
    if not re.fullmatch(r"[0-9.零〇一二两俩仨三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬]+", number or "x"):
        raise NotUnderstood(f"not a number: {text[:40]}")
    return Reading(chinese_number(number), sure=not HEDGE.search(value))


def parse_number(text: str) -> float:
    """The value of :func:`read_number`."""
    return read_number(text).value


def read_yes_no(text: str) -> Reading[bool]:
    """``是/对/有/嗯`` True, ``没有/不是/没租`` False; hedged (``应该是吧``, ``好像有``) to confirm."""
    value = clean(text)
    if not value or any(word in value for word in UNKNOWN_WORDS) or AMOUNT.search(value):
        raise NotUnderstood("not yes or no")  # an amount or a date answers another question
    sure = not HEDGE.search(value)
    if value.startswith(NO_START) or NEGATED_VERB.search(value) or any(p in value for p in NO_PHRASES):
        return Reading(False, sure=sure)
    if value.startswith(YES_START) or any(p in value for p in ("是的", "对的", "租的", "租房", "合租")):
        return Reading(True, sure=sure)
    if len(value) <= 4 and any(w in value for w in ("是", "对", "有", "嗯", "好", "行", "租")):
        return Reading(True, sure=sure)
    raise NotUnderstood(f"not yes or no: {text[:40]}")


def parse_yes_no(text: str) -> bool:
    """The value of :func:`read_yes_no`."""
    return read_yes_no(text).value


def _said(value: str, table: tuple[tuple[str, str], ...]) -> tuple[list[str], list[str]]:
    """Values named in the text, split into affirmed and denied (a negation since the last one)."""
    hits = sorted(((m.start(), -m.end(), name) for name, words in table for m in re.finditer(words, value)))
    said: list[str] = []
    denied: list[str] = []
    last_end = 0
    for start, neg_end, name in hits:
        if start < last_end:
            continue  # inside a longer word already read
        (denied if NEGATION.search(value[last_end:start]) else said).append(name)
        last_end = -neg_end
    said = [n for n in dict.fromkeys(said) if n not in denied]
    return said, list(dict.fromkeys(denied))


def read_category(text: str) -> Reading[str]:
    """``脱贫户`` poverty_alleviated; ``我不是脱贫户，就是种地的`` rural_other (to confirm)."""
    value = clean(text)
    said, denied = _said(value, CATEGORY_WORDS)
    if len(said) > 1 and "rural_other" in said:  # 农村低保户: the specific category counts
        said.remove("rural_other")
    if len(said) == 1:
        # 农民, 种地的, 农村的 say how a person lives, not the category: a 脱贫户 farms too, so
        # only 普通农村 / 一般农户 is taken as it stands; the others are shown back to confirm.
        occupation = said[0] == "rural_other" and not NAMED_ORDINARY.search(value)
        return Reading(said[0], sure=not denied and not HEDGE.search(value) and not occupation,
                       denied=denied[0] if denied else None)
    if denied and not said:
        raise Denied(denied)
    raise NotUnderstood(f"not a person category: {text[:40]}")


def parse_category(text: str) -> str:
    """The value of :func:`read_category`."""
    return read_category(text).value


def read_certificate(text: str) -> Reading[str]:
    """``初级工`` junior, ``中级`` intermediate, ``没有证`` none; ``不是高级，是初级`` to confirm;
    ``有个电工证`` (a certificate, no level) asks which level."""
    value = clean(text)
    said, denied = _said(value, CERTIFICATE_WORDS)
    if len(said) == 1:
        return Reading(said[0], sure=not denied and not HEDGE.search(value),
                       denied=denied[0] if denied else None)
    if denied and not said:
        raise Denied(denied)
    if not said and NO_CERTIFICATE.search(value):
        return Reading("none", sure=not HEDGE.search(value))
    if not said and "证" in value:
        raise NotUnderstood(f"which level: {text[:40]}")
    raise NotUnderstood(f"not a certificate level: {text[:40]}")


def parse_certificate(text: str) -> str:
    """The value of :func:`read_certificate`."""
    return read_certificate(text).value


def says_first_time(text: str) -> bool:
    """Whether an answer adds that this is the first time here (``2024年2月 第一次来``)."""
    text = simplified(text)
    return "第一次" in text and not re.search(r"不是第一次|没.*第一次", text)


def without_cues(text: str) -> str:
    """The answer without side remarks (``第一次来``, ``干了``), for the date or duration parser."""
    return re.sub(r"第一次来|第一次|干了|干", "", simplified(text))


def parse_unknown(text: str) -> bool:
    """Whether the text says "I don't know" (不知道, 不清楚, 忘了, 说不准)."""
    value = clean(text)
    return any(word in value for word in UNKNOWN_WORDS)
