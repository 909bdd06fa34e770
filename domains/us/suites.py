"""The us domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from etl.gate.rules import Suite, a_ge_b, at_least, not_null, unique

US_BARS = Suite(
    "staging.us_bars_daily",
    row_rules=[
        *not_null("us_trade_date", "symbol", "close"),
        unique("us_trade_date", "symbol"),
        a_ge_b("high", "low", "high_below_low"),
        at_least("volume_shares", 0, "negative_volume"),
    ],
)

US_INDICES = Suite(
    "staging.us_index_daily",
    row_rules=[
        *not_null("us_trade_date", "symbol", "close"),
        unique("us_trade_date", "symbol"),
        a_ge_b("high", "low", "high_below_low"),
    ],
)
