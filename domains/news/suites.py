"""The news domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from etl.gate.rules import Rule, Suite, not_null

NEWS = Suite(
    "staging.news_items",
    row_rules=[
        *not_null("title", "published_at", "trade_date", "item_id"),
        Rule("empty_text", lambda E, f: E.ExpectColumnValueLengthsToBeBetween(column="body", min_value=1), "title"),
        Rule(
            "published_outside_its_session",
            lambda E, f: E.ExpectColumnValuesToBeBetween(
                column="check_days_to_session", min_value=0, max_value=f.get("max_days_to_session", 14)
            ),
            "published_at",
        ),
    ],
)
