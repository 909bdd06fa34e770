"""Partitions on the SSE trading calendar, Asia/Shanghai: one per calendar month of sessions (`trading_months`,
every range asset's), and the session calendar they hold (`session_partitions()`, kept for the sessions' own
rules and the grain bench).

A month's partition exists from the month's first day; the sessions a run covers (`partition_dates`) are the
month's sessions that have closed (15:00 Shanghai), from the warehouse's history start, within the run's
session window when it has one (the `ashare/first_session` and `ashare/last_session` tags: the daily run asks
for its month with the one new session). Dagster records one materialisation per month and asset instead of
one per session: 48 partitions for the demo's four years instead of 969 (docs/architecture.md, "The partition
grain, weighed").

The per-session definition (`session_partitions()`, the range assets' grain until issue 24): a session's partition is
the window [its day 00:00, its close 15:00) Shanghai, with `end_offset=0`: it exists from the close on; on a
closed day (weekend, holiday) the last partition is the last session. Dagster's daily windows
with `end_offset=1` did not give that: with exclusions, the next window after the last complete one is the
*next session*, so on a Saturday or through the Spring Festival the partition of a session that had not
happened was already there (dagster#33551), and a backfill "to the last partition" asked for it.

The cron ticks at 00:00 and at the close; every close tick, weekend and holiday is excluded, so the windows
left are one per session, keyed by its date. The price: the two-tick cron misses Dagster's fast path for
plain daily crons (`make demo` took 210 s instead of 185 s with it; docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import functools

import dagster as dg

from etl.market import (
    CLOSE,
    SHANGHAI,
    TIMEZONE,
    closed_weekdays,
    is_trading_day,
    previous_trading_day,
    provisional_end,
    sessions_between,
)
from etl.settings import Settings

FIRST_SESSION_TAG = "ashare/first_session"  # a run's session window inside its month partitions (optional)
LAST_SESSION_TAG = "ashare/last_session"
MONTH = "%Y-%m"

WEEKENDS = ["0 0 * * 6", "0 0 * * 0"]
AT_CLOSE = f"{CLOSE.minute} {CLOSE.hour} * * *"


def build_trading_day_partitions(start: dt.date) -> dg.TimeWindowPartitionsDefinition:
    if CLOSE.minute:  # the window of a day must start at 00:00, and a cron's minutes are shared by its hours
        raise ValueError(f"etl.market.CLOSE={CLOSE}: the partition windows need a close on the hour")
    last = provisional_end()  # akshare's calendar.json, then its provisional weekdays (etl/market.py)
    holidays = [dt.datetime.combine(d, dt.time()) for d in closed_weekdays(start, last)]
    return dg.TimeWindowPartitionsDefinition(
        cron_schedule=f"0 0,{CLOSE.hour} * * *",
        fmt="%Y-%m-%d",
        start=start.isoformat(),
        end=(last + dt.timedelta(days=1)).isoformat(),
        timezone=TIMEZONE,
        exclusions=[*WEEKENDS, AT_CLOSE, *holidays],
        end_offset=0,
    )


@functools.cache
def session_partitions() -> dg.TimeWindowPartitionsDefinition:
    """The per-session definition from the history start, no longer any asset's: kept for the sessions' own
    rules and the grain bench (tools/bench_partitions.py), and built when asked (its ~1,000 exclusions cost
    30 ms, every time the code location was imported)."""
    return build_trading_day_partitions(Settings.from_env().first_session)


def month_of(day: dt.date) -> str:
    return day.strftime(MONTH)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def build_trading_month_partitions(start: dt.date) -> dg.TimeWindowPartitionsDefinition:
    """One partition per calendar month from `start`'s month to the last the runs may reach (the calendar's,
    then its provisional year: etl/market.py provisional_end); the current month is a partition from its first
    day (`end_offset=1`), holding the sessions closed so far. Dagster shows none past the current month."""
    return dg.TimeWindowPartitionsDefinition(
        cron_schedule="0 0 1 * *",
        fmt=MONTH,
        start=month_of(start),
        end=month_of(next_month(provisional_end())),
        timezone=TIMEZONE,
        end_offset=1,
    )


# One calendar for every partitioned asset (an asset job's partitioned assets must share one definition, and
# a backfill is one run over one range). It starts where the warehouse's history starts (ASHARE_HISTORY_START,
# read when the code location loads); each dataset says which of its sessions its source covers.
trading_months = build_trading_month_partitions(Settings.from_env().first_session)


def _day(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def session_window(first: dt.date | str, last: dt.date | str) -> dict[str, str]:
    """The tags that limit a run to the sessions first..last inside its month partitions."""
    return {FIRST_SESSION_TAG: _day(first).isoformat(), LAST_SESSION_TAG: _day(last).isoformat()}


def session_tags(first: dt.date | str, last: dt.date | str) -> dict[str, str]:
    """The tags of a run over the sessions first..last: its month partitions and its session window."""
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    return {
        ASSET_PARTITION_RANGE_START_TAG: month_of(_day(first)),
        ASSET_PARTITION_RANGE_END_TAG: month_of(_day(last)),
        **session_window(first, last),
    }


def last_closed_session(now: dt.datetime | None = None) -> dt.date:
    """The last session whose close has passed at `now` (Shanghai): past the published calendar, the last
    provisional one (etl/market.py day_state), never beyond the provisional horizon."""
    from etl import market  # the one clock (tests freeze it there)

    now = (now or market.shanghai_now()).astimezone(SHANGHAI)
    if now.date() > provisional_end():
        return provisional_end() if is_trading_day(provisional_end()) else previous_trading_day(provisional_end())
    if is_trading_day(now.date()) and now.time() >= CLOSE:
        return now.date()
    return previous_trading_day(now.date())


def months_span(months: list[str]) -> tuple[dt.date, dt.date]:
    """The first and the last day of a run's month partitions (YYYY-MM)."""
    first = dt.datetime.strptime(min(months), MONTH).date()
    return first, next_month(dt.datetime.strptime(max(months), MONTH).date()) - dt.timedelta(days=1)


class RunWindowError(ValueError):
    """A run's session window (its tags) that no run should carry out: it names the tag and the value."""


def _window_day(tags: dict, tag: str) -> dt.date | None:
    if tag not in tags:
        return None
    value = tags[tag]
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise RunWindowError(f"run tag {tag}={value!r}: expected a date, YYYY-MM-DD") from None


def sessions_of(months: list[str], tags: dict | None = None, now: dt.datetime | None = None) -> list[dt.date]:
    """The sessions of month partitions that a run covers: closed by `now`, from the history start, inside the
    session window of the run's tags if it has one. A window is checked where it is read: a tag that is no
    date, a window reversed, reaching outside the run's months, or holding no session that has closed is a
    RunWindowError, not a run that succeeds over nothing (and republishes)."""
    if not months:
        return []
    start, end = months_span(months)
    tags = tags or {}
    wanted_first, wanted_last = _window_day(tags, FIRST_SESSION_TAG), _window_day(tags, LAST_SESSION_TAG)
    window = f"{FIRST_SESSION_TAG}={wanted_first}, {LAST_SESSION_TAG}={wanted_last}"
    if wanted_first and wanted_last and wanted_first > wanted_last:
        raise RunWindowError(f"run tags {window}: the window is reversed (its first session is after its last)")
    for tag, day in ((FIRST_SESSION_TAG, wanted_first), (LAST_SESSION_TAG, wanted_last)):
        if day is not None and not start <= day <= end:
            raise RunWindowError(
                f"run tag {tag}={day}: outside the run's month partitions {min(months)}..{max(months)} "
                f"({start}..{end}); run the month that holds it"
            )
    first = max(start, Settings.from_env().first_session, wanted_first or start)
    last = min(end, last_closed_session(now), wanted_last or end)
    sessions = sessions_between(first, last) if first <= last else []
    if (wanted_first or wanted_last) and not sessions:
        raise RunWindowError(
            f"run tags {window}: no SSE session in the window has closed (a weekend, a holiday, or a session "
            f"still trading); nothing to fetch or judge, and nothing to publish"
        )
    return sessions


def partition_dates(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The sessions a run covers: those of its month partitions (one, or a range in a single-run backfill)
    that have closed, within its session window. A window that cannot be carried out fails the step at once,
    without retries: the same tags would fail again."""
    try:
        return sessions_of(list(context.partition_keys), context.run.tags)
    except RunWindowError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
