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

# What a staging table's gate takes back with a day declared closed after it was stored (etl/gate/retract.py):
# the marts built per session on it, and the factors dated by the bars' ex-dates
RETRACTED_WITH: dict[str, list[tuple[str, str]]] = {}
for _mart, _base in SESSIONS_OF.items():
    RETRACTED_WITH.setdefault(_base, []).append((f"marts.{_mart}", "trade_date"))
RETRACTED_WITH["staging.stock_bars_daily"].append(("marts.stock_adjustment_factors", "ex_date"))


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


def _offending(wh, sql: str) -> tuple[int, list[dict]]:
    found = wh.query(sql)
    return found.height, [{k: str(v) for k, v in r.items()} for r in found.head(10).iter_rows(named=True)]


@dg.asset_check(asset=key("marts", "stock_adjustment_factors"), name="factors_plausible", blocking=True)
def factors_plausible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Every published factor in (0, 1] (no ex-date raises a reference previous close), and below the undeclared
    floor only where a bonus or transfer issue was declared for that ex-date: the staging gate quarantines the
    bars that would give another; this audit keeps a factor the gate did not judge (a plan changed since, a
    transform's fault) from reaching BI."""
    from domains.stocks.transforms import FACTOR_FLOOR

    n, examples = _offending(
        warehouse.get(),
        "SELECT f.ex_date, f.symbol, f.adjustment_factor, f.reference_from FROM marts.stock_adjustment_factors f "
        "WHERE NOT (f.adjustment_factor > 0 AND f.adjustment_factor <= 1) OR f.adjustment_factor IS NULL "
        f"OR (f.adjustment_factor < {FACTOR_FLOOR} AND NOT EXISTS (SELECT 1 FROM staging.dividends d "
        "WHERE d.symbol = f.symbol AND d.ex_date = f.ex_date AND coalesce(d.bonus_per10, 0) + "
        "coalesce(d.transfer_per10, 0) > 0)) ORDER BY ALL",
    )
    return dg.AssetCheckResult(passed=n == 0, metadata={"implausible_factors": n, "examples": examples})


@dg.asset_check(asset=key("marts", "stock_valuation_daily"), name="values_plausible", blocking=True)
def values_plausible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Caps positive with the float cap at most the total, and trailing dividend yields in [0, 1): the gates
    judge the caps and plans these come from; this audit keeps what they let through in combination (a plan
    against a close that fell since) from being published as a yield above 100 %."""
    n, examples = _offending(
        warehouse.get(),
        "SELECT trade_date, symbol, market_cap_cny, float_cap_cny, ttm_dividend_yield_ratio "
        "FROM marts.stock_valuation_daily WHERE market_cap_cny <= 0 OR float_cap_cny <= 0 "
        "OR float_cap_cny > market_cap_cny * 1.000001 OR NOT (ttm_dividend_yield_ratio >= 0 "
        "AND ttm_dividend_yield_ratio < 1) ORDER BY ALL",
    )
    return dg.AssetCheckResult(passed=n == 0, metadata={"implausible_rows": n, "examples": examples})


@dg.asset_check(asset=key("bi", "marts"), name="calendar_covers_next_year", blocking=False)
def calendar_covers_next_year() -> dg.AssetCheckResult:
    """A warning, from December 1, that the SSE calendar does not cover next year, and past its end that the
    sessions published are provisional (decided by the data, etl/market.py day_state); never a failure: the
    pipeline keeps running on provisional sessions."""
    from etl.market import calendar_end, calendar_warning, shanghai_today

    warning = calendar_warning(shanghai_today())
    return dg.AssetCheckResult(
        passed=warning is None,
        severity=dg.AssetCheckSeverity.WARN,
        description=warning,
        metadata={"calendar_end": str(calendar_end())},
    )


AUDITS = [_session_coverage(m) for m in SESSION_MARTS] + [dividend_vs_ai_complete, factors_plausible, values_plausible]
CHECKS = [*AUDITS, calendar_covers_next_year]


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
