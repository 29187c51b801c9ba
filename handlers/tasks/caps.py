"""WeCom's per-target group-send cap (doc 92135): months, the cap, how long counts are kept.

Since 2023 a customer (or group) may get as many group sends a month as the month has days
(adjustable by WeCom to 7 a week or 1 a day; the older rule was 4 a month). Months are local
(the corp's time zone): a send at 23:30 on the 31st in Shanghai belongs to that month.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

KEEP_AFTER_MONTH_DAYS = 32


def month_of(moment: datetime, tz: ZoneInfo) -> str:
    """The local month of ``moment`` as YYYYMM."""
    return moment.astimezone(tz).strftime("%Y%m")


def cap_for(moment: datetime, tz: ZoneInfo, configured: int) -> int:
    """The cap of ``moment``'s month: ``configured``, or the days in the month when 0."""
    if configured > 0:
        return configured
    local = moment.astimezone(tz)
    return calendar.monthrange(local.year, local.month)[1]


def month_ttl(moment: datetime, tz: ZoneInfo) -> int:
    """Seconds from ``moment`` until 32 days after its local month ends."""
    local = moment.astimezone(tz)
    days = calendar.monthrange(local.year, local.month)[1]
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=days + KEEP_AFTER_MONTH_DAYS)
    return max(int((end - local).total_seconds()), 1)
