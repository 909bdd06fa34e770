"""Daily partitions on the SSE trading calendar, Asia/Shanghai: no partition exists on a closed day."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from etl.market import TIMEZONE, calendar_end, closed_weekdays
from etl.settings import Settings

WEEKENDS = ["0 0 * * 6", "0 0 * * 0"]


def build_trading_day_partitions(start: dt.date) -> dg.DailyPartitionsDefinition:
    last = calendar_end()  # akshare's calendar.json: no partitions beyond what the exchange has published
    holidays = [dt.datetime.combine(d, dt.time()) for d in closed_weekdays(start, last)]
    return dg.DailyPartitionsDefinition(
        start_date=start.isoformat(),
        end_date=(last + dt.timedelta(days=1)).isoformat(),
        timezone=TIMEZONE,
        exclusions=[*WEEKENDS, *holidays],
        # a day's partition exists from the start of the day, not after it ends: the 16:30 schedule asks
        # for the session that closed at 15:00 the same day
        end_offset=1,
    )


# One calendar for every partitioned asset (an asset job's partitioned assets must share one definition, and
# a backfill is one run over one range). It starts where the warehouse's history starts (ASHARE_HISTORY_START,
# read when the code location loads); each dataset says which of these days its source covers.
trading_days = build_trading_day_partitions(Settings.from_env().first_session)


def partition_dates(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The trading days a run covers: one partition, or a whole range in a single-run backfill."""
    return [dt.date.fromisoformat(key) for key in context.partition_keys]
