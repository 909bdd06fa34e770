"""What the warehouse tracks: the index set and the editable tracking lists (config/tracking.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CONFIG_DIR = Path(__file__).resolve().parent


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


@dataclass(frozen=True)
class Tracking:
    concept_boards: tuple[str, ...]
    industry_boards: tuple[str, ...]
    fund_flow_symbols: tuple[str, ...]
    csi_indices: tuple[str, ...]
    valuation_indices: tuple[str, ...]
    us_symbols: tuple[str, ...]
    us_indices: tuple[str, ...]
    us_start_date: str
    dividend_report_periods: tuple[str, ...]

    def boards(self, board_type: str) -> tuple[str, ...]:
        return self.concept_boards if board_type == "concept" else self.industry_boards


def _load_yaml(name: str) -> dict:
    path = CONFIG_DIR / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


@lru_cache(maxsize=1)
def tracking() -> Tracking:
    data = _load_yaml("tracking.yaml")
    fields = Tracking.__dataclass_fields__
    unknown = set(data) - set(fields)
    missing = set(fields) - set(data)
    if unknown or missing:
        raise ValueError(f"tracking.yaml: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    values = {k: (str(v) if k == "us_start_date" else tuple(str(x) for x in (v or []))) for k, v in data.items()}
    return Tracking(**values)
