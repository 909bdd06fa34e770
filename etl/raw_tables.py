"""raw tables mirror their function's input spec, plus the columns a run adds (request context, provenance).

Their DDL is generated from the input specs so that an input spec change cannot drift from its table; staging and
marts, the surfaces people query, have explicit DDL in warehouse/sql/.

Each raw table has two mirrors with the same columns (audit before write, etl/proposals.py): `candidate.<name>`
holds what a run landed until the staging gate has judged it, and `rejected.<name>` keeps what the gate
refused, with the run and time, for inspection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from etl import functions as fn
from etl.input_specs import InputSpec

DUCKDB_TYPES = {pl.Date: "DATE", pl.String: "VARCHAR", pl.Float64: "DOUBLE", pl.Int64: "BIGINT", pl.Boolean: "BOOLEAN"}
PROVENANCE = {"source": "VARCHAR NOT NULL", "source_function": "VARCHAR NOT NULL", "fetched_at": "TIMESTAMPTZ"}


@dataclass(frozen=True)
class RawTable:
    name: str
    spec: InputSpec
    extra: dict[str, str] = field(default_factory=dict)  # column -> DuckDB type, added by the asset

    @property
    def short(self) -> str:
        return self.name.split(".", 1)[1]

    def ddl(self, schema: str = "raw") -> str:
        cols = [f'    "{c.name}" {DUCKDB_TYPES[c.dtype]}{"" if c.nullable else " NOT NULL"}' for c in self.spec.columns]
        cols += [f'    "{k}" {v}' for k, v in {**self.extra, **PROVENANCE}.items()]
        if schema == "rejected":
            cols += ['    "rejected_run_id" VARCHAR NOT NULL', '    "rejected_at" TIMESTAMPTZ NOT NULL']
        return f"CREATE TABLE IF NOT EXISTS {schema}.{self.short} (\n" + ",\n".join(cols) + "\n);"


RAW_TABLES = (
    RawTable("raw.stock_universe", fn.STOCK_INFO_A_CODE_NAME, {"snapshot_date": "DATE NOT NULL"}),
    # partition_date: the landing partition a row arrived in; staging checks it against the row's trade_date
    RawTable(
        "raw.stock_bars_daily", fn.STOCK_ZH_A_HIST, {"adjust": "VARCHAR NOT NULL", "partition_date": "DATE NOT NULL"}
    ),
    RawTable("raw.index_bars_daily", fn.STOCK_ZH_INDEX_DAILY_EM, {"partition_date": "DATE NOT NULL"}),
    RawTable(
        "raw.board_list",
        fn.STOCK_BOARD_CONCEPT_NAME_EM,
        {"board_type": "VARCHAR NOT NULL", "snapshot_date": "DATE NOT NULL"},
    ),
    RawTable("raw.board_membership_snapshot", fn.STOCK_BOARD_CONCEPT_CONS_EM, {"board_type": "VARCHAR NOT NULL"}),
    RawTable(
        "raw.board_bars_daily",
        fn.STOCK_BOARD_CONCEPT_HIST_EM,
        {"board_type": "VARCHAR NOT NULL", "partition_date": "DATE NOT NULL"},
    ),
    RawTable("raw.stock_fund_flow_rank", fn.STOCK_INDIVIDUAL_FUND_FLOW_RANK),
    RawTable("raw.sector_fund_flow_rank", fn.STOCK_SECTOR_FUND_FLOW_RANK),
    RawTable("raw.stock_fund_flow_daily", fn.STOCK_INDIVIDUAL_FUND_FLOW),
    RawTable("raw.market_fund_flow_daily", fn.STOCK_MARKET_FUND_FLOW),
    RawTable("raw.csi_index_daily", fn.STOCK_ZH_INDEX_HIST_CSINDEX, {"partition_date": "DATE NOT NULL"}),
    RawTable("raw.us_bars_daily", fn.STOCK_US_HIST),
    RawTable("raw.dividends", fn.STOCK_FHPS_EM),
    RawTable("raw.news_cctv", fn.NEWS_CCTV, {"trade_date": "DATE NOT NULL"}),
    RawTable("raw.news_feed", fn.STOCK_INFO_GLOBAL_EM, {"capture": "VARCHAR NOT NULL"}),
)


def raw_ddl() -> str:
    return "\n\n".join(t.ddl(schema) for t in RAW_TABLES for schema in ("raw", "candidate", "rejected"))
