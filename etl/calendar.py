"""The SSE trading calendar, read from the copy akshare ships (no network, no akshare import)."""

from __future__ import annotations

import bisect
import datetime as dt
import importlib.util
import json
from functools import lru_cache
from pathlib import Path


def calendar_file() -> Path:
    # find_spec locates the package without executing akshare/__init__ (which takes ~1.5 s).
    spec = importlib.util.find_spec("akshare")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("akshare is not installed; its calendar.json is the trading calendar")
    return Path(spec.submodule_search_locations[0]) / "file_fold" / "calendar.json"


@lru_cache(maxsize=1)
def trading_days() -> tuple[dt.date, ...]:
    raw = json.loads(calendar_file().read_text(encoding="utf-8"))
    return tuple(sorted(dt.datetime.strptime(d, "%Y%m%d").date() for d in raw))


def calendar_end() -> dt.date:
    return trading_days()[-1]


def is_trading_day(day: dt.date) -> bool:
    days = trading_days()
    i = bisect.bisect_left(days, day)
    return i < len(days) and days[i] == day


def _check_covered(day: dt.date) -> None:
    days = trading_days()
    if not days[0] <= day <= days[-1]:
        raise ValueError(f"{day} is outside the SSE calendar ({days[0]} .. {days[-1]}); upgrade akshare")


def previous_trading_day(day: dt.date) -> dt.date:
    """The last session strictly before `day`."""
    _check_covered(day)
    days = trading_days()
    return days[bisect.bisect_left(days, day) - 1]


def next_trading_day(day: dt.date) -> dt.date:
    """The first session strictly after `day`."""
    _check_covered(day)
    days = trading_days()
    return days[bisect.bisect_right(days, day)]


def sessions_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Trading days in [start, end], inclusive."""
    days = trading_days()
    return list(days[bisect.bisect_left(days, start) : bisect.bisect_right(days, end)])


def closed_weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    """Monday-to-Friday dates in [start, end] on which the exchange was closed (holidays)."""
    open_days = set(sessions_between(start, end))
    out, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in open_days:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def report_deadline(period_end: dt.date) -> dt.date:
    """The last day listed companies may publish the report of a period (CSRC): half-year reports by
    31 August, annual reports by 30 April of the next year. Dividend plans come with the report."""
    if (period_end.month, period_end.day) == (6, 30):
        return dt.date(period_end.year, 8, 31)
    if (period_end.month, period_end.day) == (12, 31):
        return dt.date(period_end.year + 1, 4, 30)
    raise ValueError(f"{period_end} is not a report period end (YYYY0630 or YYYY1231)")


def sessions_spanning(dates) -> list[dt.date]:
    """Trading days between the earliest and latest of `dates`: enough to tell whether each is a session
    (a value set of every session since 1990 would cost seconds to validate)."""
    present = [d for d in dates if d is not None]
    return sessions_between(min(present), max(present)) if present else []
