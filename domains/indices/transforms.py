"""Indices: raw -> staging. Eastmoney index bars and the CSI official histories (volume in shares, amount
in CNY)."""

import polars as pl

from etl.config.tracking import INDEX_BY_SYMBOL
from etl.gate.references import PROVENANCE


def stage_index_bars(raw: pl.DataFrame) -> pl.DataFrame:
    unknown = set(raw["index_symbol"].unique()) - set(INDEX_BY_SYMBOL)
    if unknown:
        raise ValueError(f"stock_zh_index_daily_em: symbols not in the index catalog: {sorted(unknown)}")
    codes = pl.DataFrame(
        {
            "index_symbol": list(INDEX_BY_SYMBOL),
            "index_code": [i.code for i in INDEX_BY_SYMBOL.values()],
            "index_name": [i.name for i in INDEX_BY_SYMBOL.values()],
        }
    )
    return raw.join(codes, on="index_symbol", how="left").select(
        "trade_date",
        "index_code",
        "index_name",
        "open",
        "high",
        "low",
        "close",
        "volume_shares",
        "amount_cny",
        *PROVENANCE,
        "partition_date",
    )


def stage_csi(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.select(
        "trade_date",
        "index_code",
        "index_name",
        "open",
        "high",
        "low",
        "close",
        "change",
        "pct_change",
        "volume_shares",
        "amount_cny",
        "constituents",
        "pe_ttm",
        *PROVENANCE,
        "partition_date",
    )
