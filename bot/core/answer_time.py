"""Amounts of time and dates as workers type them: 快两年, 一年多, 大半年, 去年年底, 前年三月.

An amount of time is read as a range of whole months (``快两年`` = 18..23); an exact one has
``value == high``. Dates are hand-parsed: date libraries fail on 去年3月 and 前年.
"""
from __future__ import annotations

import re
from datetime import date

from bot.core.answer_text import NotUnderstood, Reading, chinese_number, clean

NUMBER = r"[0-9.零〇一二两俩仨三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+"  # incl. 叁 (cn2an reads them)
DURATION = re.compile(
    rf"(?:(?P<years>{NUMBER}|半)(?P<y1>多|来)?个?年(?P<yhalf>半)?(?P<y2>多)?)?零?"
    rf"(?:(?P<months>{NUMBER}|半)(?P<m1>多|来)?个?(?P<mhalf>半)?(?P<m2>多)?月?)?")
NONE_AT_ALL = re.compile(r"(从来|从|一直|还|都|根本|压根|压根儿)?(没|无|未|一个月都没|一天都没)(有|交|缴|签|上)?过?"
                         r"(社保|合同)?|零|0|无")
APPROX = re.compile(r"左右|上下|大概|大约|约莫|约|差不多|估计|应该|可能|好像|差不离")
ALMOST = re.compile(r"快|将近|接近|马上就?|眼看")
UNDER = re.compile(r"不到|没到|不满|没满|不够|未满")
OVER = re.compile(r"以上|超过|多于")
NOISE = re.compile(r"交了|缴了|交|缴|社保|合同|签了|签|干了|干|做了|做|已经|有|了|的|吧|啊|呀|时间|总共|一共|大约|"
                   r"才|只|就|刚刚|刚|也就|我|一点儿?|点儿?")   # 一年多点: the 点 adds nothing
VAGUE = {"大半年": (7, 11), "小半年": (4, 5), "一年半载": (6, 18), "几个月": (2, 9), "一两年": (12, 24),
         "两三年": (24, 36), "三五年": (36, 60), "一两个月": (1, 2), "两三个月": (2, 3)}


def read_months(text: str) -> Reading[int]:
    """Whole months as a range: ``三个月`` 3..3, ``快两年`` 18..23, ``一年多`` 12..23, ``没交过`` 0..0."""
    value = clean(text)
    if NONE_AT_ALL.fullmatch(NOISE.sub("", value)) or NONE_AT_ALL.fullmatch(value):
        return Reading(0, high=0)
    approx, almost, under, over = (bool(p.search(value)) for p in (APPROX, ALMOST, UNDER, OVER))
    core = NOISE.sub("", ALMOST.sub("", APPROX.sub("", UNDER.sub("", OVER.sub("", value)))))
    low, high = _core_months(core, text)
    if almost:
        low, high = max(0, low - max(1, low // 4)), max(0, low - 1)
    elif under:
        low, high = max(0, low - max(2, (low + 1) // 2)), max(0, low - 1)
    elif over:
        high = max(high, low + max(1, low // 2))
    if approx:
        low, high = max(0, low - max(1, round(low / 6))), high + max(1, round(high / 6))
    return Reading(low, sure=low == high, high=high)


def _core_months(core: str, text: str) -> tuple[int, int]:
    """The range of a bare amount: ``一年半`` (18, 18), ``两年多`` (24, 35), ``十来个`` (10, 13)."""
    if core in VAGUE:
        return VAGUE[core]
    match = DURATION.fullmatch(core)
    if not core or not match or not (match["years"] or match["months"]):
        raise NotUnderstood(f"not a duration: {text[:40]}")
    low = extra = 0
    if match["years"]:
        unit = 6 if match["years"] == "半" else 12
        low += unit if match["years"] == "半" else int(_count(match["years"], text) * 12)
        low += 6 if match["yhalf"] else 0
        if match["y1"] or match["y2"]:
            extra = 5 if match["yhalf"] or match["years"] == "半" else 11
    if match["months"]:
        months = 0 if match["months"] == "半" else int(_count(match["months"], text))
        low += months
        if match["m1"] == "来":
            extra = 3
        elif match["m1"] or match["m2"]:
            extra = 9 if match["months"].endswith("十") else 0
    return low, low + extra


def _count(numeral: str, text: str) -> float:
    """A count from a numeral (``十二`` → 12, ``1.5`` → 1.5); fractions of a month count down."""
    number = chinese_number(numeral)
    if number < 0 or number > 100000:
        raise NotUnderstood(f"out of range: {text[:40]}")
    return number


def parse_months(text: str) -> int:
    """The lower end of :func:`read_months` (``一年半`` → 18, ``两年多`` → 24)."""
    return read_months(text).value


YEAR_WORDS = {"今年": 0, "去年": 1, "前年": 2, "大前年": 3}
PART_OF_YEAR = {"年底": (12, True), "年末": (12, True), "年尾": (12, True), "年初": (1, True),
                "年头": (1, True), "开年": (1, True), "年中": (6, False), "春节后": (2, False),
                "过完年": (2, False), "过了年": (2, False), "年后": (2, False), "春节": (2, False)}
DATE_NOISE = re.compile(r"开始|起|份|的时候|时候|左右|大概|号|的|来的|来|月初|月底|月中|中旬|上旬|下旬")


def read_date(text: str, as_of: date) -> Reading[date]:
    """A past month: ``2024年3月``, ``去年年底``, ``前年三月``; a year alone is 1..12 of it."""
    value = DATE_NOISE.sub("", clean(text))
    found = _part_of_year(value, as_of) or _relative_date(value, as_of) or _absolute_date(value, as_of)
    if found is None:
        raise NotUnderstood(f"not a date: {text[:40]}")
    if found.value > as_of:
        raise NotUnderstood(f"date in the future: {text[:40]}")
    if found.high and found.high > as_of:
        found = Reading(found.value, found.sure, high=date(as_of.year, as_of.month, 1))
    return found


def parse_date(text: str, as_of: date) -> date:
    """The first day of the month meant (a year alone: its January)."""
    return read_date(text, as_of).value


def _year_of(word: str, as_of: date) -> int | None:
    """``去年`` → as_of.year - 1; ``2024年`` / ``24年`` / ``二〇二四年`` → 2024."""
    if word in YEAR_WORDS:
        return as_of.year - YEAR_WORDS[word]
    if re.fullmatch(r"(\d{2}|\d{4}|[零〇一二三四五六七八九]{2,4})年?", word):
        year = int(chinese_number(word.rstrip("年")))
        year += 2000 if year < 100 else 0
        return year if 1950 <= year <= 2100 else None
    return None


def _part_of_year(value: str, as_of: date) -> Reading[date] | None:
    """``去年年底`` → December of last year; ``今年春节后`` → February (to confirm)."""
    for part, (month, sure) in PART_OF_YEAR.items():
        if value.endswith(part):
            head = value[: -len(part)] or "今年"
            year = _year_of(head if head in YEAR_WORDS else head.rstrip("年"), as_of)
            if year is None:
                return None
            return Reading(date(year, month, 1), sure=sure)
    return None


def _relative_date(value: str, as_of: date) -> Reading[date] | None:
    """``今年1月``, ``去年``, ``前年3月``, ``上个月``, ``3月``, ``两年前`` relative to ``as_of``."""
    ago = re.fullmatch(r"(.+?)(以前|之前|前)", value)
    if ago:
        try:
            span = read_months(ago[1])
        except NotUnderstood:
            return None
        return Reading(_months_before(as_of, span.high), sure=span.sure, high=_months_before(as_of, span.value))
    if value in ("上个月", "上月"):
        return Reading(_months_before(as_of, 1))
    if value in ("这个月", "本月"):
        return Reading(date(as_of.year, as_of.month, 1))
    match = re.fullmatch(r"(大前年|前年|去年|今年)?(?:([0-9一二三四五六七八九十]+)月)?", value)
    if not value or not match or not (match[1] or match[2]):
        return None
    year = as_of.year - YEAR_WORDS.get(match[1] or "今年", 0)
    if not match[2]:
        return Reading(date(year, 1, 1), sure=False, high=date(year, 12, 1))
    month = int(chinese_number(match[2]))
    if not 1 <= month <= 12:
        return None
    if match[1] is None and date(year, month, 1) > as_of:
        year -= 1
    return Reading(date(year, month, 1))


def _months_before(as_of: date, months: int) -> date:
    total = as_of.year * 12 + as_of.month - 1 - months
    return date(total // 12, total % 12 + 1, 1)


def _absolute_date(value: str, as_of: date) -> Reading[date] | None:
    """``2024年3月5日``, ``2024.3``, ``2024-03-05``, ``2024/3``, ``24年3月``, ``2024年`` (1..12)."""
    match = re.fullmatch(
        r"(\d{2}|\d{4}|[零〇一二三四五六七八九]{2,4})[年.\-/]"
        r"(?:([0-9一二三四五六七八九十]{1,3})[月.\-/]?(?:(\d{1,2})[日]?)?)?",
        value,
    )
    if match is None:
        return None
    year = _year_of(match[1], as_of)
    if year is None:
        return None
    if not match[2]:
        return Reading(date(year, 1, 1), sure=False, high=date(year, 12, 1))
    try:
        return Reading(date(year, int(chinese_number(match[2])), int(match[3]) if match[3] else 1))
    except ValueError:
        return None
