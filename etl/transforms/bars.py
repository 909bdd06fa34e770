"""Stock and index bars: raw -> staging."""

from __future__ import annotations

import polars as pl

from etl.catalog import INDEX_BY_SYMBOL

PROVENANCE = ["source", "source_function", "fetched_at"]


def require_unique(df: pl.DataFrame, keys: list[str], table: str) -> pl.DataFrame:
    dupes = df.filter(pl.struct(keys).is_duplicated())
    if dupes.height:
        sample = dupes.select(keys).unique().head(3).to_dicts()
        raise ValueError(f"{table}: {dupes.height} rows share a key {keys}, e.g. {sample}")
    return df


def stage_stock_bars(raw: pl.DataFrame) -> pl.DataFrame:
    cols = ["trade_date", "symbol", "adjust", "open", "high", "low", "close", "volume_shares", "amount_cny",
            "amplitude_pct", "pct_change", "change", "turnover_pct", *PROVENANCE]
    return require_unique(raw.select(cols), ["trade_date", "symbol", "adjust"], "staging.stock_bars_daily")


def stage_index_bars(raw: pl.DataFrame) -> pl.DataFrame:
    unknown = set(raw["index_symbol"].unique()) - set(INDEX_BY_SYMBOL)
    if unknown:
        raise ValueError(f"stock_zh_index_daily_em: symbols not in the index catalog: {sorted(unknown)}")
    codes = pl.DataFrame(
        {"index_symbol": list(INDEX_BY_SYMBOL),
         "index_code": [i.code for i in INDEX_BY_SYMBOL.values()],
         "index_name": [i.name for i in INDEX_BY_SYMBOL.values()]}
    )
    out = raw.join(codes, on="index_symbol", how="left").select(
        "trade_date", "index_code", "index_name", "open", "high", "low", "close", "volume_shares", "amount_cny",
        *PROVENANCE,
    )
    return require_unique(out, ["trade_date", "index_code"], "staging.index_bars_daily")
