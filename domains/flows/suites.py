"""The flows domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from etl.gate.rules import Rule, Suite, a_share_code, not_null, trading_day, unique

MAIN_FLOW = Rule(
    "main_flow_inconsistent",
    lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_main_flow_gap", max_value=0),
    "main_net_inflow_cny",
)

STOCK_RANKS = Suite(
    "staging.stock_fund_flow_rank",
    row_rules=[
        *not_null("snapshot_date", "symbol"),
        a_share_code(),
        unique("snapshot_date", "indicator", "symbol"),
        MAIN_FLOW,
    ],
)

SECTOR_RANKS = Suite(
    "staging.sector_fund_flow_rank",
    row_rules=[
        *not_null("snapshot_date", "board_name"),
        unique("snapshot_date", "indicator", "sector_type", "board_name"),
        MAIN_FLOW,
    ],
)

STOCK_FLOW_DAILY = Suite(
    "staging.stock_fund_flow_daily",
    row_rules=[
        *not_null("trade_date", "symbol"),
        a_share_code(),
        trading_day(),
        unique("trade_date", "symbol"),
        MAIN_FLOW,
    ],
)

MARKET_FLOW_DAILY = Suite(
    "staging.market_fund_flow_daily",
    row_rules=[*not_null("trade_date"), trading_day(), unique("trade_date"), MAIN_FLOW],
)
