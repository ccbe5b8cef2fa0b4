"""A fair's date and time as staff type it, resolved against "now" (China time), never guessed.

Rule (issue 8): a date typed without a year is this year's, unless that date is more than a
day in the past, then next year's. A time earlier today (or yesterday) is "already past": the
caller says so and asks to confirm or retype, never moves it to next year. The caller shows
the resolved moment back (with the weekday) before using it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.errors import InputError
from bot.core.render import text

CHINA = ZoneInfo("Asia/Shanghai")
WHEN = re.compile(
    r"^(?:(?P<year>\d{4})[年./\-])?(?P<month>\d{1,2})[月./\-](?P<day>\d{1,2})[日号]?"
    r"\s*(?P<half>上午|早上|中午|下午|晚上)?\s*"
    r"(?:(?P<hour>\d{1,2})(?:[:：点时](?P<minute>\d{1,2}|半)?分?)?)?$")
ROLL_OVER_DAYS = 1   # a yearless date more than this many days past means next year's


@dataclass(frozen=True)
class When:
    """A resolved moment (UTC) and whether it is already past (confirm or retype)."""

    moment: datetime
    past: bool


def _clock(match: re.Match[str]) -> tuple[int, int]:
    """(hour, minute) of the typed time; 9:00 when only a date was typed."""
    hour = int(match["hour"] or 9)
    minute = 30 if match["minute"] == "半" else int(match["minute"] or 0)
    if match["half"] in ("下午", "晚上") and hour < 12:
        hour += 12
    return hour, minute


def resolve_when(answer: str, now: datetime) -> When:
    """``12月5日 9:30`` / ``2026-12-05 14:00`` / ``12月5日下午2点半`` (China time) -> :class:`When`.

    Raises InputError when it is not a date and time, or names a day long past.
    """
    match = WHEN.match(answer.strip().replace("：", ":"))
    if not match:
        raise InputError(text("fairs.bad.when"), f"not a date and time: {answer}")
    today = now.astimezone(CHINA)
    hour, minute = _clock(match)
    try:
        moment = datetime(int(match["year"] or today.year), int(match["month"]), int(match["day"]),
                          hour, minute, tzinfo=CHINA)
        days_past = (today.date() - moment.date()).days
        if not match["year"] and days_past > ROLL_OVER_DAYS:
            moment = moment.replace(year=moment.year + 1)
            days_past = (today.date() - moment.date()).days
    except ValueError as error:            # 2月30日, 25点, or 2月29日 rolled into a common year
        raise InputError(text("fairs.bad.when"), str(error)) from error
    if days_past > ROLL_OVER_DAYS:
        raise InputError(text("fairs.bad.past"), f"long past: {answer}")
    return When(moment.astimezone(UTC), moment < today)


def shown_when(moment: datetime) -> str:
    """A stored UTC moment as staff confirm it: 2026年12月5日（星期六）09:30 (China time)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)
    return text("fairs.when_full", day=local.date(), time=local.strftime("%H:%M"),
                weekday=text("fairs.weekdays")[local.weekday()])
