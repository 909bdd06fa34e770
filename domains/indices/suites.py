"""The indices domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from etl.gate.rules import (
    Rule,
    Suite,
    a_ge_b,
    at_least,
    date_in_partition,
    not_null,
    partition_rows,
    trading_day,
    unique,
)

INDEX_BARS = Suite(
    "staging.index_bars_daily",
    row_rules=[
        *not_null("trade_date", "index_code", "close"),
        trading_day(),
        date_in_partition(),
        unique("trade_date", "index_code"),
        a_ge_b("high", "low", "high_below_low"),
        a_ge_b("high", "close", "close_above_high"),
        a_ge_b("close", "low", "close_below_low"),
        at_least("volume_shares", 0, "negative_volume"),
        at_least("amount_cny", 0, "negative_amount"),
    ],
    partition_rules=[
        *partition_rows()[:1],
        Rule(
            "tracked_index_missing",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="missing_indices", max_value=0),
            "partition",
        ),
    ],
)

CSI_INDEX = Suite(
    "staging.csi_index_daily",
    row_rules=[
        *not_null("trade_date", "index_code", "close"),
        trading_day(),
        date_in_partition(),
        unique("trade_date", "index_code"),
        a_ge_b("high", "low", "high_below_low"),
    ],
)

INDEX_VALUATION = Suite(
    "staging.index_valuation_daily",
    row_rules=[
        *not_null("trade_date", "index_code"),
        unique("trade_date", "index_code"),
        Rule(
            "implausible_dividend_yield",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="dividend_yield_pct", min_value=0, max_value=30),
            "dividend_yield_pct",
        ),
    ],
)
