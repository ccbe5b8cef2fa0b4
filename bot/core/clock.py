"""Today's date where the users live (Asia/Shanghai), in one place."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in China, whatever the server's time zone."""
    return datetime.now(CHINA).date()
