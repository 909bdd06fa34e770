"""Market rules, in one place: the SSE trading calendar, Asia/Shanghai time, the 15:00 close, the price tick,
and A-share codes (which 6-digit codes exist, on which exchange and listing board, with which daily price-limit
band). Suites, transforms, news tagging, partitions, schedules and the live source all import them from here.

The calendar is the copy akshare ships (`akshare/file_fold/calendar.json`), read without importing akshare, less
the closures an operator declared (etl/config/closures.yaml) that it does not know. A day is in one of three
states (`day_state`): a `session` or `closed` where that calendar (and the declared closures) cover it, and
`unknown` past its last day (akshare adds a year only once the year has begun). An unknown weekday is a
*provisional* session: runs cover it, the sources decide (a whole market's bars: it was a session; nothing
at all: it was closed, and the gates record it so, quality.calendar_days), until a newer calendar or a
declared closure confirms it. The pipeline so never goes silent on 2 January for want of a file.
"""

from __future__ import annotations

import bisect
import datetime as dt
import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

import polars as pl

# --- time ----------------------------------------------------------------------------------------------
TIMEZONE = "Asia/Shanghai"  # IANA name, for polars, DuckDB and Dagster
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "CST")  # for Python datetimes: China has kept UTC+8 since 1991
CLOSE = dt.time(15, 0)  # the continuous session ends at 15:00; a day's data is complete after it


def shanghai_now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)


def shanghai_today() -> dt.date:
    return shanghai_now().date()


# --- prices --------------------------------------------------------------------------------------------
PRICE_TICK = 0.01  # CNY: A-share prices and limit prices are on the 0.01 grid
ST_LIMIT_PCT = 5.0  # main-board ST/*ST stocks; ChiNext/STAR/BSE keep their own band


# --- the calendar ---------------------------------------------------------------------------------------
def calendar_file() -> Path:
    # find_spec locates the package without executing akshare/__init__ (which takes ~1.5 s).
    spec = importlib.util.find_spec("akshare")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("akshare is not installed; its calendar.json is the trading calendar")
    return Path(spec.submodule_search_locations[0]) / "file_fold" / "calendar.json"


CLOSURES_FILE = Path(__file__).resolve().parent / "config" / "closures.yaml"


@lru_cache(maxsize=1)
def exchange_calendar() -> tuple[dt.date, ...]:
    """The sessions as akshare's calendar lists them."""
    raw = json.loads(calendar_file().read_text(encoding="utf-8"))
    return tuple(sorted(dt.datetime.strptime(d, "%Y%m%d").date() for d in raw))


@lru_cache(maxsize=1)
def declared_closures() -> dict[dt.date, str]:
    """Closed days the calendar does not know, declared by an operator (etl/config/closures.yaml, or the file
    ASHARE_CLOSURES_FILE names): date -> reason. Each must be a session of the calendar, with a reason."""
    import yaml

    from etl import env

    path = Path(env.text("ASHARE_CLOSURES_FILE", str(CLOSURES_FILE)))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the declared closures ({exc})") from None
    entries = data.get("closures") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected `closures:` with a list of {{date, reason}}")
    sessions, end, out = set(exchange_calendar()), exchange_calendar()[-1], {}
    for i, entry in enumerate(entries, 1):
        day = entry.get("date") if isinstance(entry, dict) else None
        reason = entry.get("reason") if isinstance(entry, dict) else None
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                day = None
        if not isinstance(day, dt.date) or not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{path}: closure {i} ({entry!r}): expected a date (YYYY-MM-DD) and a reason")
        if day <= end and day not in sessions:
            raise ValueError(f"{path}: closure {i}: {day} is no session in akshare's calendar; nothing to declare")
        if day > end and day.weekday() >= 5:
            raise ValueError(f"{path}: closure {i}: {day} is a weekend day, closed anyway; nothing to declare")
        out[day] = reason.strip()
    return out


# Past the calendar's last day, weekdays are provisional sessions through the end of the next year: far enough
# for any schedule between two akshare upgrades, near enough that no partition is made for a decade ahead.
PROVISIONAL_YEARS = 1


def calendar_end() -> dt.date:
    """The last day akshare's calendar covers (its last session; the year's last day in practice)."""
    return exchange_calendar()[-1]


def provisional_end() -> dt.date:
    """The last day runs treat as a (provisional) session: the end of the year after the calendar's last."""
    return dt.date(calendar_end().year + PROVISIONAL_YEARS, 12, 31)


def is_provisional(day: dt.date) -> bool:
    """Past the calendar: a weekday the exchange has not confirmed as a session (nor declared closed)."""
    return day > calendar_end()


def _provisional_weekdays() -> list[dt.date]:
    out, day = [], calendar_end() + dt.timedelta(days=1)
    while day <= provisional_end():
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


@lru_cache(maxsize=1)
def trading_days() -> tuple[dt.date, ...]:
    """The calendar's sessions, then the provisional weekdays past it, less the declared closures."""
    closed = declared_closures()
    return tuple(d for d in (*exchange_calendar(), *_provisional_weekdays()) if d not in closed)


SESSION, CLOSED, UNKNOWN = "session", "closed", "unknown"


def day_state(day: dt.date) -> str:
    """`session` or `closed` as the calendar and the declared closures say, `unknown` for a weekday past the
    calendar that no closure declares (a provisional session: the data decide)."""
    if day > calendar_end() and day.weekday() < 5 and day not in declared_closures():
        return UNKNOWN
    return SESSION if is_trading_day(day) else CLOSED


def is_trading_day(day: dt.date) -> bool:
    days = trading_days()
    i = bisect.bisect_left(days, day)
    return i < len(days) and days[i] == day


CALENDAR_WARNING_FROM = (12, 1)  # next year's holidays are published by then (State Council: Oct to early Dec)


def calendar_warning(today: dt.date) -> str | None:
    """What an operator must hear about the calendar on `today`, or None: from December 1 that next year is
    not covered, past the calendar's end that the days run are provisional."""
    end = calendar_end()
    if today > end:
        return (
            f"the SSE calendar akshare ships ends {end}: {today} and every weekday since are provisional sessions, "
            "decided by the data (quality.calendar_days); upgrade akshare or declare the year's closures in "
            f"{CLOSURES_FILE.name}"
        )
    if (today.month, today.day) >= CALENDAR_WARNING_FROM and end.year <= today.year:
        return (
            f"next year's SSE calendar is missing: akshare's ends {end}; from {end + dt.timedelta(days=1)} weekdays "
            f"run as provisional sessions. Declare next year's holidays in {CLOSURES_FILE.name} once published, or "
            "upgrade akshare when its calendar has the year"
        )
    return None


def _check_covered(day: dt.date) -> None:
    days = trading_days()
    if not days[0] <= day <= days[-1]:
        raise ValueError(
            f"{day} is outside the SSE calendar ({days[0]} .. {days[-1]}, provisional after {calendar_end()}); "
            "upgrade akshare"
        )


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


# --- codes ---------------------------------------------------------------------------------------------
# (code prefixes, exchange, listing board, limit band in percent). A code is its prefix plus digits to six.
BOARDS: tuple[tuple[tuple[str, ...], str, str, float], ...] = (
    (("688", "689"), "SSE", "star", 20.0),
    (("600", "601", "603", "605"), "SSE", "main", 10.0),
    (("300", "301", "302"), "SZSE", "chinext", 20.0),
    (("000", "001", "002", "003", "004"), "SZSE", "main", 10.0),
    (("920", "43", "83", "87", "88"), "BSE", "bse", 30.0),
)
MARKET_PREFIX = {"SSE": "sh", "SZSE": "sz", "BSE": "bj"}  # Eastmoney's market argument

_ALTERNATIVES = "|".join(f"{p}[0-9]{{{6 - len(p)}}}" for prefixes, *_ in BOARDS for p in prefixes)
A_SHARE_CODE = f"^(?:{_ALTERNATIVES})$"  # exactly six digits with a listed prefix
CODE_IN_TEXT = re.compile(f"(?<![0-9])({_ALTERNATIVES})(?![0-9])")


def exchange_of(symbol: str) -> str | None:
    for prefixes, exchange, _, _ in BOARDS:
        if re.fullmatch(A_SHARE_CODE, symbol) and symbol.startswith(prefixes):
            return exchange
    return None


def market_of(symbol: str) -> str:
    """'sh', 'sz' or 'bj' for Eastmoney's per-stock endpoints."""
    exchange = exchange_of(symbol)
    if exchange is None:
        raise ValueError(f"{symbol!r} is not an A-share code (etl/market.py BOARDS)")
    return MARKET_PREFIX[exchange]


def classify(symbols: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(exchange, listing board, limit band) of each code; nulls for a code that is not an A-share."""
    exchange = board = band = None
    valid = symbols.str.contains(A_SHARE_CODE)
    for prefixes, ex, bd, pct in BOARDS:
        cond = valid & pl.any_horizontal([symbols.str.starts_with(p) for p in prefixes])
        exchange = pl.when(cond).then(pl.lit(ex)) if exchange is None else exchange.when(cond).then(pl.lit(ex))
        board = pl.when(cond).then(pl.lit(bd)) if board is None else board.when(cond).then(pl.lit(bd))
        band = pl.when(cond).then(pl.lit(pct)) if band is None else band.when(cond).then(pl.lit(pct))
    return exchange.otherwise(None), board.otherwise(None), band.otherwise(None)


def limit_pct(board: pl.Expr, band: pl.Expr, is_st: pl.Expr) -> pl.Expr:
    """The daily price-limit band in percent: the listing board's, or ST_LIMIT_PCT for an ST stock on a main
    board (ChiNext, STAR and BSE keep their own band for ST stocks)."""
    return pl.when(is_st.fill_null(False) & (board == "main")).then(pl.lit(ST_LIMIT_PCT)).otherwise(band)


def is_st(names: pl.Expr) -> pl.Expr:
    """ST or *ST in the security name (spaces and case aside): under risk warning, with the ST band."""
    return names.str.replace_all(r"\s", "").str.to_uppercase().str.contains("ST")
