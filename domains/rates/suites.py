"""The rates domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from etl.gate.rules import Rule, Suite, not_null, unique

BOND_YIELDS = Suite(
    "staging.bond_yields_daily",
    row_rules=[
        *not_null("trade_date"),
        unique("trade_date"),
        *(
            Rule(
                f"implausible_{column}",
                lambda E, f, c=column: E.ExpectColumnValuesToBeBetween(column=c, min_value=-2, max_value=25),
                column,
            )
            for column in ("cn_10y_yield_pct", "us_10y_yield_pct")
        ),
    ],
)
