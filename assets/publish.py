"""Write-audit-publish: blocking audits on the marts, then the copy BI tools read (warehouse/bi/marts.duckdb).

Dagster skips `bi/marts` in a run whose audits failed, so BI users keep the last good file."""

import dagster as dg

from assets.lineage import depends, key
from assets.resources import WarehouseResource
from etl.config.themes import themes
from etl.warehouse import publish

SESSION_MARTS = [
    "index_daily",
    "market_breadth_daily",
    "board_daily",
    "theme_daily",
    "theme_membership_daily",
    "stock_valuation_daily",
]
WHOLE_MARTS = [
    "stock_adjustment_factors",
    "dividend_vs_ai_daily",
    "event_window",
    "fund_flow_board_daily",
    "news_theme_daily",
    "cross_market_daily",
    "index_valuation_daily",
    "relative_performance",
    "drawdown_rebound",
]


# The staging table whose sessions each per-session mart must have, no more and no fewer.
SESSIONS_OF = {mart: "staging.stock_bars_daily" for mart in SESSION_MARTS} | {"index_daily": "staging.index_bars_daily"}


def _session_coverage(mart: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=key("marts", mart), name="covers_every_session", blocking=True)
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        """Rows on every session its input holds (each dataset from its own first day), and on no other day:
        a gap would show up in BI as a flat line, not as missing data. Nothing held yet: nothing expected."""
        wh = warehouse.get()
        days = set(wh.query(f"SELECT DISTINCT trade_date FROM marts.{mart}")["trade_date"].to_list())
        base = SESSIONS_OF[mart]
        sessions = set(wh.query(f"SELECT DISTINCT trade_date FROM {base}")["trade_date"].to_list())
        missing, extra = sorted(sessions - days), sorted(days - sessions)
        return dg.AssetCheckResult(
            passed=not missing and not extra,
            metadata={
                "sessions": len(days),
                "sessions_of": base,
                "sessions_missing": [str(d) for d in missing[:20]],
                "sessions_not_in_input": [str(d) for d in extra[:20]],
                **({"first": str(min(days)), "last": str(max(days))} if days else {"note": f"{base} holds none"}),
            },
        )

    return check


@dg.asset_check(asset=key("marts", "dividend_vs_ai_daily"), name="both_baskets_every_session", blocking=True)
def dividend_vs_ai_complete(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """A row with both baskets' cumulative returns on every theme_daily session from `cumulative_from`: a gap
    would break the compounding. (No session since the start yet is no gap.)"""
    start = themes().cumulative_from
    wh = warehouse.get()
    missing = wh.query(
        "SELECT DISTINCT trade_date FROM marts.theme_daily WHERE trade_date >= $start "
        "AND trade_date NOT IN (SELECT trade_date FROM marts.dividend_vs_ai_daily) ORDER BY 1",
        {"start": start},
    )["trade_date"]
    gaps = wh.query(
        "SELECT trade_date FROM marts.dividend_vs_ai_daily WHERE dividend_cum_pct IS NULL "
        "OR ai_cum_pct IS NULL ORDER BY trade_date"
    )["trade_date"]
    return dg.AssetCheckResult(
        passed=missing.is_empty() and gaps.is_empty(),
        metadata={
            "cumulative_from": str(start),
            "sessions_missing": [str(d) for d in missing.head(20)],
            "null_cumulative": [str(d) for d in gaps.head(20)],
        },
    )


AUDITS = [_session_coverage(m) for m in SESSION_MARTS] + [dividend_vs_ai_complete]


@dg.asset(
    key_prefix="bi",
    name="marts",
    group_name="bi",
    kinds={"duckdb"},
    pool="duckdb_writer",
    **depends(
        after={
            f"marts.{m}": "publish copies every mart the contract declares (etl/contract.py), by name, not by a FROM"
            for m in SESSION_MARTS + WHOLE_MARTS
        }
    ),
)
def bi_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The marts and their contract (table `contract`) in warehouse/bi/marts.duckdb, swapped in atomically
    after the audits passed. Point BI tools here, read-only; never at the pipeline's own file.
    On a lake: a tagged snapshot that BI readers attach read-only at its version (etl/warehouse/lake_publish.py)."""
    done = publish(warehouse.get(), context.run_id)
    shown = {
        "path": lambda v: dg.MetadataValue.path(v),
        "attach": lambda v: dg.MetadataValue.md(f"```sql\n{v}\n```"),
    }
    details = {k: shown.get(k, lambda v: v)(v) for k, v in done.details.items()}
    return dg.MaterializeResult(
        metadata={**details, "published_at": done.published_at.isoformat(), "tables": _tables_md(done.tables)}
    )


def _tables_md(tables: dict[str, int]) -> dg.MetadataValue:
    return dg.MetadataValue.md("\n".join(f"- `{t}`: {n:,} rows" for t, n in tables.items()))
