"""Tolerant parsing of typed answers: 三个月, 一年半, 2024.3, 去年3月, 嗯, 脱贫户, 三百八.

Every parser takes the user's text and returns a plain value, or raises
:class:`NotUnderstood`. Dates are relative to the ``as_of`` day.
"""
from __future__ import annotations

import re
from datetime import date

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMBER = r"[0-9０-９.．零〇一二两俩三四五六七八九十百千万]+"

NO_WORDS = ("没有", "不是", "没", "无", "否", "不", "no", "n")
NO_PHRASES = ("没有", "不是", "没租", "宿舍", "包住", "单位提供", "厂里住")
YES_WORDS = ("是", "对", "有", "嗯", "好", "行", "可以", "要", "租", "yes", "y", "ok")
YES_PHRASES = ("是的", "对的", "自己租", "租房", "租的")
CATEGORY_WORDS = (
    ("monitored", ("监测", "边缘", "防返贫", "易致贫")),
    ("rural_low_income", ("低保", "低收入")),
    ("poverty_alleviated", ("脱贫", "建档立卡", "贫困户", "贫困")),
    ("rural_other", ("普通农村", "农村", "农民", "农户")),
    ("other", ("其他", "其它", "城镇", "城里", "都不是")),
)
CERTIFICATE_WORDS = (
    ("none", ("没有", "没证", "无证", "没", "无", "不")),
    ("junior", ("初级", "五级")),
    ("intermediate", ("中级", "四级")),
    ("senior", ("高级", "三级", "技师")),
)
FILLER = re.compile(r"[\s，,。.!！?？~～、]+$|^[\s，,。!！?？~～、]+")


class NotUnderstood(ValueError):
    """The text is not an answer of the expected kind (``reason`` names why, in English)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean(text: str) -> str:
    """Strip spaces and trailing punctuation, full-width digits to ASCII, lower case."""
    text = text.translate(str.maketrans("０１２３４５６７８９．－／", "0123456789.-/"))
    return FILLER.sub("", text.strip()).lower()


def chinese_number(text: str) -> float:
    """``三百八`` → 380, ``一千二`` → 1200, ``十五`` → 15, ``1.5万`` → 15000, ``380`` → 380."""
    text = clean(text)
    if not text:
        raise NotUnderstood("empty number")
    if "万" in text:
        high, _, low = text.partition("万")
        base = chinese_number(high) if high else 1
        rest = chinese_number(low) if low else 0
        if low and len(low) == 1 and low in DIGITS:
            rest = DIGITS[low] * 1000
        return base * 10000 + rest
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if all(ch in DIGITS for ch in text):
        return float("".join(str(DIGITS[ch]) for ch in text))
    return float(_small_chinese(text))


def _small_chinese(text: str) -> int:
    """Chinese numerals below 10000, with the spoken shorthand ``三百八`` (= 380)."""
    total, digit, last_unit = 0, None, 1
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (1 if digit is None else digit) * UNITS[ch]
            last_unit, digit = UNITS[ch], None
        elif ch.isdigit():
            digit = (digit or 0) * 10 + int(ch)
        else:
            raise NotUnderstood(f"not a number: {text}")
    if digit is not None:
        total += digit * (last_unit // 10 if last_unit > 10 else 1)
    return total


def parse_number(text: str) -> float:
    """A plain amount or count: ``380``, ``三百八``, ``380块``, ``380元``, ``7个人``."""
    value = re.sub(r"(块钱|块|元|人民币|个人|个|人|名|左右|大概|差不多|约|来回|一趟|车费|路费|花了|要)", "",
                   clean(text))
    if value in ("没有", "没", "无", "零"):
        return 0.0
    if not re.fullmatch(NUMBER, value or "x"):
        raise NotUnderstood(f"not a number: {text}")
    return chinese_number(value)


def parse_months(text: str) -> int:
    """A duration in months: ``三个月``, ``一年半`` (18), ``1年3个月``, ``半年``, ``10``."""
    value = re.sub(r"(左右|大概|差不多|多|了|有|交了|交|缴了|缴|社保|约)", "", clean(text))
    if value in ("没有", "没", "无", "零", "0", "没交", "没签", "没签过"):
        return 0
    match = re.fullmatch(
        rf"(?:(?P<years>{NUMBER}|半)年(?P<yhalf>半)?)?(?:零)?"
        rf"(?:(?P<months>{NUMBER}|半)个?(?P<mhalf>半)?月?)?",
        value,
    )
    if not value or not match or not (match["years"] or match["months"]):
        raise NotUnderstood(f"not a duration: {text}")
    months = 0.0
    if match["years"]:
        months += 6 if match["years"] == "半" else chinese_number(match["years"]) * 12
        months += 6 if match["yhalf"] else 0
    if match["months"]:
        months += 0.5 if match["months"] == "半" else chinese_number(match["months"])
    return int(months)


def parse_date(text: str, as_of: date) -> date:
    """A past month: ``2024年3月``, ``2024.3``, ``2024-03-05``, ``24年3月``, ``去年3月``, ``前年``."""
    value = re.sub(r"(开始|起|份|的时候|时候|左右|大概|底|初|号)", "", clean(text))
    found = _relative_date(value, as_of) or _absolute_date(value)
    if found is None:
        raise NotUnderstood(f"not a date: {text}")
    if found > as_of:
        raise NotUnderstood(f"date in the future: {text}")
    return found


def _relative_date(value: str, as_of: date) -> date | None:
    """``今年1月``, ``去年``, ``前年3月``, ``上个月``, ``3月``, ``两年前`` relative to ``as_of``."""
    ago = re.fullmatch(r"(.+?)(以前|之前|前)", value)
    if ago:
        try:
            months = parse_months(ago[1])
        except NotUnderstood:
            return None
        total = as_of.year * 12 + as_of.month - 1 - months
        return date(total // 12, total % 12 + 1, 1)
    if value in ("上个月", "上月"):
        return date(as_of.year - (as_of.month == 1), (as_of.month - 2) % 12 + 1, 1)
    if value in ("这个月", "本月"):
        return date(as_of.year, as_of.month, 1)
    offsets = {"今年": 0, "去年": 1, "前年": 2, "大前年": 3}
    match = re.fullmatch(r"(大前年|前年|去年|今年)?(?:([0-9一二三四五六七八九十]+)月)?", value)
    if not value or not match or not (match[1] or match[2]):
        return None
    year = as_of.year - offsets.get(match[1] or "今年", 0)
    month = int(chinese_number(match[2])) if match[2] else 1
    if not 1 <= month <= 12:
        return None
    if match[1] is None and date(year, month, 1) > as_of:
        year -= 1
    return date(year, month, 1)


def _absolute_date(value: str) -> date | None:
    """``2024年3月5日``, ``2024.3``, ``2024-03-05``, ``2024/3``, ``24年3月``, ``2024年``."""
    match = re.fullmatch(
        r"(\d{2}|\d{4}|[零〇一二三四五六七八九]{2,4})[年.\-/]"
        r"(?:([0-9一二三四五六七八九十]{1,3})[月.\-/]?(?:(\d{1,2})[日]?)?)?",
        value,
    )
    if not match:
        return None
    year = int(chinese_number(match[1]))
    year += 2000 if year < 100 else 0
    month = int(chinese_number(match[2])) if match[2] else 1
    day = int(match[3]) if match[3] else 1
    try:
        return date(year, month, day) if 1990 <= year <= 2100 else None
    except ValueError:
        return None


def parse_yes_no(text: str) -> bool:
    """``是/对/有/嗯/好/行`` → True; ``没有/不是/无/否/没`` → False."""
    value = clean(text)
    if not value:
        raise NotUnderstood("empty")
    if any(value.startswith(w) for w in NO_WORDS) or any(p in value for p in NO_PHRASES):
        return False
    if any(value.startswith(w) for w in YES_WORDS) or any(p in value for p in YES_PHRASES):
        return True
    if len(value) <= 4 and any(w in value for w in YES_WORDS):
        return True
    raise NotUnderstood(f"not yes or no: {text}")


def _by_words(text: str, table: tuple[tuple[str, tuple[str, ...]], ...], kind: str) -> str:
    """The first value of ``table`` one of whose words occurs in ``text``."""
    value = clean(text)
    for result, words in table:
        if value and any(word in value for word in words):
            return result
    raise NotUnderstood(f"not a {kind}: {text}")


def parse_category(text: str) -> str:
    """``脱贫户/建档立卡`` → poverty_alleviated, ``监测户/边缘户`` → monitored, ``低保`` → …"""
    return _by_words(text, CATEGORY_WORDS, "person category")


def parse_certificate(text: str) -> str:
    """``初级工`` → junior, ``中级`` → intermediate, ``高级工`` → senior, ``没有证`` → none."""
    return _by_words(text, CERTIFICATE_WORDS, "certificate level")


def says_first_time(text: str) -> bool:
    """Whether an answer adds that this is the first time here (``2024年2月 第一次来``)."""
    return "第一次" in text and not re.search(r"不是第一次|没.*第一次", text)


def without_cues(text: str) -> str:
    """The answer without side remarks (``第一次来``, ``干了``), for the date or duration parser."""
    return re.sub(r"第一次来|第一次|干了|干", "", text)


def parse_unknown(text: str) -> bool:
    """Whether the text says "I don't know" (不知道, 不清楚, 忘了, 说不准)."""
    value = clean(text)
    return any(word in value for word in ("不知道", "不清楚", "忘了", "记不清", "不记得", "说不准"))
