"""Partitions on the SSE trading calendar, Asia/Shanghai: one per session, and only for a session that has
closed.

A session's partition is the window [its day 00:00, its close 15:00) Shanghai, with `end_offset=0`: it exists
from the close on, which is when the session's daily data can be complete and when the 16:30 schedule asks
for it; on a closed day (weekend, holiday) the last partition is the last session. Dagster's daily windows
with `end_offset=1` did not give that: with exclusions, the next window after the last complete one is the
*next session*, so on a Saturday or through the Spring Festival the partition of a session that had not
happened was already there (dagster#33551), and a backfill "to the last partition" asked for it.

The cron ticks at 00:00 and at the close; every close tick, weekend and holiday is excluded, so the windows
left are one per session, keyed by its date. The price: the two-tick cron misses Dagster's fast path for
plain daily crons: `make demo` 210 s instead of 185 s (docs/performance.md, until issue 24's monthly grain).
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from etl.market import CLOSE, TIMEZONE, calendar_end, closed_weekdays
from etl.settings import Settings

WEEKENDS = ["0 0 * * 6", "0 0 * * 0"]
AT_CLOSE = f"{CLOSE.minute} {CLOSE.hour} * * *"


def build_trading_day_partitions(start: dt.date) -> dg.TimeWindowPartitionsDefinition:
    if CLOSE.minute:  # the window of a day must start at 00:00, and a cron's minutes are shared by its hours
        raise ValueError(f"etl.market.CLOSE={CLOSE}: the partition windows need a close on the hour")
    last = calendar_end()  # akshare's calendar.json: no partitions beyond what the exchange has published
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


# One calendar for every partitioned asset (an asset job's partitioned assets must share one definition, and
# a backfill is one run over one range). It starts where the warehouse's history starts (ASHARE_HISTORY_START,
# read when the code location loads); each dataset says which of these days its source covers.
trading_days = build_trading_day_partitions(Settings.from_env().first_session)


def partition_dates(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The trading days a run covers: one partition, or a whole range in a single-run backfill."""
    return [dt.date.fromisoformat(key) for key in context.partition_keys]
