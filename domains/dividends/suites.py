"""The dividends domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from etl.gate.rules import Suite, a_share_code, at_least, between, not_null, unique

DIVIDENDS = Suite(
    "staging.dividends",
    row_rules=[
        *not_null("symbol", "report_period"),
        a_share_code(),
        unique("symbol", "report_period"),
        at_least("cash_dividend_per_share_cny", 0, "negative_dividend"),
        at_least("bonus_per10", 0, "negative_bonus_ratio"),
        at_least("transfer_per10", 0, "negative_transfer_ratio"),
        between(
            "check_cash_vs_close",
            "dividend_not_below_price",
            "cash_dividend_per_share_cny",
            max_value=1,
            strict_max=True,
        ),
        between("dividend_yield_ratio", "yield_not_a_fraction", min_value=0, max_value=1),
    ],
)
