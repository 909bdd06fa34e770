"""Daily partitions on the SSE trading calendar, Asia/Shanghai: no partition exists on a closed day."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from etl.market import TIMEZONE, calendar_end, closed_weekdays
from etl.settings import FIRST_PARTITION

WEEKENDS = ["0 0 * * 6", "0 0 * * 0"]


def build_trading_day_partitions(start: dt.date = FIRST_PARTITION) -> dg.DailyPartitionsDefinition:
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


trading_days = build_trading_day_partitions()


def partition_dates(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The trading days a run covers: one partition, or a whole range in a single-run backfill."""
    return [dt.date.fromisoformat(key) for key in context.partition_keys]
