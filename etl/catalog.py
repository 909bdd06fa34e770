"""What the warehouse tracks: the index set and the landing datasets each source fills."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Index:
    code: str  # 6-digit index code, the warehouse key
    symbol: str  # akshare's stock_zh_index_daily_em symbol (market prefix + code)
    name: str


INDICES: tuple[Index, ...] = (
    Index("000001", "sh000001", "上证指数"),
    Index("399001", "sz399001", "深证成指"),
    Index("399006", "sz399006", "创业板指"),
    Index("000300", "sh000300", "沪深300"),
    Index("000016", "sh000016", "上证50"),
    Index("000905", "sh000905", "中证500"),
    Index("000922", "csi000922", "中证红利"),
    Index("000852", "sh000852", "中证1000"),
    Index("000906", "sh000906", "中证800"),
    Index("000688", "sh000688", "科创50"),
    Index("000680", "sh000680", "科创综指"),
    Index("399303", "sz399303", "国证2000"),
    Index("399673", "sz399673", "创业板50"),
)
INDEX_BY_SYMBOL = {i.symbol: i for i in INDICES}

# Landing datasets for stock bars: name in the landing zone -> akshare `adjust` argument.
STOCK_BAR_DATASETS = {"stock_zh_a_hist": "qfq", "stock_zh_a_hist_unadjusted": ""}
ADJUST_LABEL = {"qfq": "qfq", "": "none"}
