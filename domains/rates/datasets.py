"""Rates: China and US government bond yields (2/5/10/30-year, the 10y-2y spread) with each country's GDP
growth, the yardstick of the dividend trade ("a yield above the government bond yield")."""

from __future__ import annotations

from etl.datasets.record import Dataset, RawTable, Replay
from etl.input_specs import Col, D, F, InputSpec
from etl.market import shanghai_today
from etl.sources.gateway import SourceBlockedError
from etl.sources.live import ymd


def _yields(country: str, prefix: str) -> tuple[Col, ...]:
    return (
        *(Col(f"{country}国债收益率{t}年", f"{prefix}_{t}y_yield_pct", F, "%") for t in (2, 5, 10, 30)),
        Col(f"{country}国债收益率10年-2年", f"{prefix}_10y_2y_spread_pct", F, "percentage points"),
        Col(f"{country}GDP年增率", f"{prefix}_gdp_yoy_pct", F, "%"),
    )


# akshare 1.19.5 bond/bond_em.py: Eastmoney's RPTA_WEB_TREASURYYIELD report, renamed and reordered so; a
# date where only one market published has nulls in the other's columns.
BOND_ZH_US_RATE = InputSpec(
    "bond_zh_us_rate",
    (Col("日期", "trade_date", D, nullable=False), *_yields("中国", "cn"), *_yields("美国", "us")),
)


def fetch_yields(live, dataset, request):
    """The whole history from request.start in one call (akshare pages back from today until it passes
    start_date): landed as one capture per day; staging keeps the latest capture of each date."""
    live.start_run()
    frame = live.call(dataset.function, start_date=ymd(request.start))
    if frame is None or len(frame) == 0:
        raise SourceBlockedError(f"{dataset.function}(start_date={ymd(request.start)}) returned no rows")
    return [live.land_capture(dataset, frame, {"start_date": ymd(request.start)}, shanghai_today().isoformat())]


BOND_YIELDS = Dataset(
    "bond_zh_us_rate",
    BOND_ZH_US_RATE,
    RawTable("raw.bond_yields_daily", grain=("trade_date",)),
    kind="snapshot",
    replay=Replay.NONE,
    fetch=fetch_yields,
    note="not in the recording: the yields are live only",
)
