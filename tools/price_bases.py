"""How far the two price bases of a warehouse disagree on returns, and why (docs/prices.md).

    python -m tools.price_bases [warehouse/ashare.duckdb]

Over every stock and session with both a forward-adjusted (qfq, recorded) and an unadjusted bar in
staging.stock_bars_daily: the rows whose percent changes agree to the source's rounding, the rows Eastmoney's
subtractive qfq explains (its change over the previous qfq close), and the rest; then the equal-weighted mean
return per session over those stocks under each basis, and the largest gap between the two.
"""

from __future__ import annotations

import sys

import duckdb

ROUNDING_PP = 0.011  # both sources round percent changes to 0.01

SQL = f"""
WITH both_bases AS (
    SELECT n.trade_date, n.symbol, n.pct_change AS none_pct, q.pct_change AS qfq_pct, n.change,
           lag(q.close) OVER (PARTITION BY q.symbol ORDER BY q.trade_date) AS qfq_prev
    FROM staging.stock_bars_daily AS n
    JOIN staging.stock_bars_daily AS q USING (trade_date, symbol)
    WHERE n.adjust = 'none' AND q.adjust = 'qfq'
), judged AS (
    SELECT *,
        CASE
            WHEN abs(none_pct - qfq_pct) <= {ROUNDING_PP} THEN 'agree to rounding'
            WHEN abs(100 * change / qfq_prev - qfq_pct) <= {ROUNDING_PP} THEN 'qfq subtracts later dividends'
            ELSE 'other'
        END AS why
    FROM both_bases WHERE none_pct IS NOT NULL AND qfq_pct IS NOT NULL
)
SELECT why, count(*) AS rows, round(max(abs(none_pct - qfq_pct)), 3) AS max_gap_pp
FROM judged GROUP BY 1 ORDER BY 2 DESC
"""

DAILY = """
WITH both_bases AS (
    SELECT n.trade_date, n.pct_change AS none_pct, q.pct_change AS qfq_pct
    FROM staging.stock_bars_daily AS n
    JOIN staging.stock_bars_daily AS q USING (trade_date, symbol)
    WHERE n.adjust = 'none' AND q.adjust = 'qfq' AND n.volume_shares > 0
), daily AS (
    SELECT trade_date, avg(none_pct) AS none_ew, avg(qfq_pct) AS qfq_ew, count(*) AS stocks
    FROM both_bases GROUP BY 1
)
SELECT count(*) AS sessions, round(avg(stocks)) AS stocks_a_session,
       round(max(abs(none_ew - qfq_ew)), 4) AS max_gap_pp, round(avg(abs(none_ew - qfq_ew)), 4) AS mean_gap_pp,
       count(*) FILTER (WHERE abs(none_ew - qfq_ew) > 0.01) AS sessions_beyond_0_01_pp
FROM daily
"""


def main(argv: list[str] | None = None) -> None:
    path = (argv if argv is not None else sys.argv[1:]) or ["warehouse/ashare.duckdb"]
    con = duckdb.connect(path[0], read_only=True)
    print("Rows with both bases, by why their percent changes differ:")
    print(con.sql(SQL))
    print("Equal-weighted mean return per session over the stocks with both bases, unadjusted vs qfq:")
    print(con.sql(DAILY))


if __name__ == "__main__":
    main()
