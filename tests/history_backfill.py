"""A live backfill of 2016 sessions, run by tests/test_history_backfill.py in a fresh process: the partitions
start where ASHARE_HISTORY_START says when the definitions load, so the variable must be set before that.

    ASHARE_HISTORY_START=2015-12-01 python -m tests.history_backfill <warehouse> <landing>
"""

import json
import sys

import dagster as dg

from tests.akshare_frames import HistoryFake, live_source
from tests.conftest import BAR_ASSETS, materialize_range, table

SELECTION = [*BAR_ASSETS, "raw/index_bars_daily", "staging/index_bars_daily", "marts/index_daily", "raw/news_cctv"]
FIRST, LAST = "2016-01-25", "2016-02-05"  # news_cctv can be read from 2016-02-03 on (domains/news/datasets.py)


def main(path: str, landing: str) -> None:
    fake = HistoryFake()
    result = materialize_range(
        path, FIRST, LAST, source=live_source(landing, fake), selection=SELECTION, raise_on_error=False
    )
    sql = "SELECT symbol, min(trade_date)::VARCHAR AS first, count(*) AS n FROM staging.stock_bars_daily "
    bars = table(path, sql + "WHERE adjust = 'none' GROUP BY 1 ORDER BY 1").rows()
    index = table(path, "SELECT count(DISTINCT trade_date) AS n FROM marts.index_daily")["n"].item()
    news = [
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["raw", "news_cctv"])
    ]
    print(
        json.dumps(
            {
                "success": result.success,
                "bars": bars,
                "index_sessions": index,
                "news_calls": sorted(c[1] for c in fake.calls if c[0] == "news_cctv"),
                "news_rows": news[-1]["rows"].value if news else None,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
