"""Expectation suites, one per staging table, defined in code and reviewed like code.

A `Rule` names a rule (the name quarantined rows carry), builds its Great Expectations expectation from
`gx.expectations` (passed in, so this module imports no GX) and the run's facts (trading days, known codes),
and says which column holds the offending value. Row rules run on the candidate rows: a breaking row is
quarantined. Columns named check_* are derived for a rule by the staging transform and are not stored.
Partition rules run on a one-row-per-partition summary: a failure fails the blocking check and stops the marts
downstream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from etl.market import A_SHARE_CODE  # one rule, one place

MIN_ROWS_RATIO, MAX_ROWS_RATIO = 0.9, 1.5  # vs the previous session: a blocked half-empty day must not pass
PCT_TOLERANCE = 0.06  # percentage points: 2-decimal rounding of prices and of akshare's 涨跌幅
# amount ÷ volume may leave the day's [low, high] by this much, in percent: the sample's worst is 0.008 %
# (rounding of the amount); an amount ×10, or a volume in lots (×1/100), is hundreds of percent off
VWAP_TOLERANCE_PCT = 1.0


@dataclass(frozen=True)
class Rule:
    name: str
    build: Callable[[Any, dict], Any]
    value: str | None = None


@dataclass(frozen=True)
class Suite:
    table: str
    row_rules: list[Rule] = field(default_factory=list)
    partition_rules: list[Rule] = field(default_factory=list)
    flag_rules: list[Rule] = field(default_factory=list)  # counted and shown, rows kept


def not_null(*columns: str) -> list[Rule]:
    return [Rule(f"{c}_not_null", lambda E, f, c=c: E.ExpectColumnValuesToNotBeNull(column=c), c) for c in columns]


def visible(column: str) -> Rule:
    """Some visible character: '' , spaces or zero-width characters only are no name."""
    return Rule(
        f"{column}_blank",
        lambda E, f: E.ExpectColumnValuesToMatchRegex(column=column, regex=r"[^\s\u200b-\u200f\u2060\ufeff]"),
        column,
    )


def unique(*columns: str) -> Rule:
    name = "duplicate_key"
    if len(columns) == 1:
        return Rule(name, lambda E, f: E.ExpectColumnValuesToBeUnique(column=columns[0]), columns[0])
    return Rule(name, lambda E, f: E.ExpectCompoundColumnsToBeUnique(column_list=list(columns)), columns[-1])


def trading_day(column: str = "trade_date") -> Rule:
    return Rule(
        "not_a_trading_day",
        lambda E, f: E.ExpectColumnValuesToBeInSet(column=column, value_set=[d.isoformat() for d in f["sessions"]]),
        column,
    )


def date_in_partition() -> Rule:
    """A row must be dated the partition it arrived in (rows a source returned for other days are landed
    with the run's last day and stopped here, never dropped)."""
    return Rule(
        "date_outside_partition",
        lambda E, f: E.ExpectColumnPairValuesToBeEqual(
            column_A="trade_date", column_B="partition_date", ignore_row_if="either_value_is_missing"
        ),
        "trade_date",
    )


def a_share_code(column: str = "symbol") -> Rule:
    return Rule(
        "invalid_code", lambda E, f: E.ExpectColumnValuesToMatchRegex(column=column, regex=A_SHARE_CODE), column
    )


def at_least(column: str, minimum: float, name: str) -> Rule:
    return Rule(name, lambda E, f: E.ExpectColumnValuesToBeBetween(column=column, min_value=minimum), column)


def a_ge_b(a: str, b: str, name: str) -> Rule:
    return Rule(
        name,
        lambda E, f: E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=a, column_B=b, or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        a,
    )


def flagged(check_column: str, name: str, value: str) -> Rule:
    """A rule computed by the transform into a boolean check_* column (for look-ups against thousands of
    known codes, which GX would otherwise carry as a value set in every result)."""
    return Rule(name, lambda E, f: E.ExpectColumnValuesToBeInSet(column=check_column, value_set=[True]), value)


def partition_rows() -> list[Rule]:
    """Partition rules on the summary frame (columns: partition, rows, rows_ratio)."""
    return [
        Rule("empty_partition", lambda E, f: E.ExpectColumnValuesToBeBetween(column="rows", min_value=1), "partition"),
        Rule(
            "row_count_out_of_band",
            lambda E, f: E.ExpectColumnValuesToBeBetween(
                column="rows_ratio", min_value=MIN_ROWS_RATIO, max_value=MAX_ROWS_RATIO
            ),
            "partition",
        ),
    ]


STOCK_BARS = Suite(
    "staging.stock_bars_daily",
    row_rules=[
        # '' and '-' in a price or volume cell become nulls in the contract: a bar without them is no bar.
        # (amount_cny and turnover_pct may be null: part of the recording has no source for them.)
        *not_null("trade_date", "symbol", "close", "open", "high", "low", "volume_shares"),
        a_share_code(),
        flagged("check_prices_ok", "price_not_finite_positive", "close"),
        trading_day(),
        date_in_partition(),
        unique("trade_date", "symbol", "adjust"),
        a_ge_b("high", "low", "high_below_low"),
        a_ge_b("high", "open", "open_above_high"),
        a_ge_b("open", "low", "open_below_low"),
        a_ge_b("high", "close", "close_above_high"),
        a_ge_b("close", "low", "close_below_low"),
        at_least("volume_shares", 0, "negative_volume"),
        at_least("amount_cny", 0, "negative_amount"),
        at_least("turnover_pct", 0, "negative_turnover"),
        flagged("check_volume_for_amount", "amount_without_volume", "amount_cny"),
        Rule(
            "amount_inconsistent_with_prices",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_vwap_gap_pct", max_value=VWAP_TOLERANCE_PCT),
            "amount_cny",
        ),
        Rule(
            "pct_change_outside_band",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_band_excess_pct", max_value=PCT_TOLERANCE),
            "pct_change",
        ),
        Rule(
            "pct_change_inconsistent",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_pct_change_gap", max_value=PCT_TOLERANCE),
            "pct_change",
        ),
        Rule(
            "close_jump_outside_band",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_close_jump_excess_pct", max_value=PCT_TOLERANCE),
            "close",
        ),
    ],
    # flagged, not quarantined: a traded bar whose turnover rounds to 0.00 % is real, but it carries no
    # float-cap weight into cap-weighted returns; the check metadata counts and names them
    flag_rules=[
        Rule(
            "zero_turnover",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="turnover_pct", min_value=0, strict_min=True),
            "turnover_pct",
        )
    ],
    partition_rules=partition_rows(),
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

UNIVERSE = Suite(
    "staging.stock_universe",
    row_rules=[*not_null("symbol", "name"), visible("name"), a_share_code(), unique("symbol")],
    partition_rules=partition_rows(),
)  # a snapshot far off the stored universe's size is refused
NAME_HISTORY = Suite(
    "staging.stock_name_history",
    row_rules=[*not_null("symbol", "name"), a_share_code(), unique("symbol", "snapshot_date")],
)
BOARDS = Suite(
    "staging.boards",
    row_rules=[
        *not_null("board_code", "board_name"),
        unique("snapshot_date", "board_code"),
        Rule(
            "invalid_board_code",
            lambda E, f: E.ExpectColumnValuesToMatchRegex(column="board_code", regex=r"^BK[0-9]{4}$"),
            "board_code",
        ),
    ],
)
MEMBERSHIP = Suite(
    "staging.board_membership",
    row_rules=[
        *not_null("board_code", "symbol"),
        a_share_code(),
        flagged("check_known_stock", "unknown_stock", "symbol"),
        flagged("check_known_board", "unknown_board", "board_code"),
        unique("board_code", "symbol", "snapshot_date"),
    ],
    partition_rules=partition_rows()[:1],
)
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
US_BARS = Suite(
    "staging.us_bars_daily",
    row_rules=[
        *not_null("us_trade_date", "symbol", "close"),
        unique("us_trade_date", "symbol"),
        a_ge_b("high", "low", "high_below_low"),
        at_least("volume_shares", 0, "negative_volume"),
    ],
)
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

BOARD_BARS = Suite(
    "staging.board_bars_daily",
    row_rules=[
        *not_null("trade_date", "board_code", "close"),
        trading_day(),
        date_in_partition(),
        unique("trade_date", "board_code"),
        a_ge_b("high", "low", "high_below_low"),
        at_least("volume_shares", 0, "negative_volume"),
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
DIVIDENDS = Suite(
    "staging.dividends",
    row_rules=[
        *not_null("symbol", "report_period"),
        a_share_code(),
        unique("symbol", "report_period"),
        at_least("cash_dividend_per_share_cny", 0, "negative_dividend"),
        Rule(
            "yield_not_a_fraction",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="dividend_yield_ratio", min_value=0, max_value=1),
            "dividend_yield_ratio",
        ),
    ],
)
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
US_INDICES = Suite(
    "staging.us_index_daily",
    row_rules=[
        *not_null("us_trade_date", "symbol", "close"),
        unique("us_trade_date", "symbol"),
        a_ge_b("high", "low", "high_below_low"),
    ],
)

SUITES = {
    s.table: s
    for s in (
        BOARD_BARS,
        STOCK_FLOW_DAILY,
        MARKET_FLOW_DAILY,
        DIVIDENDS,
        BOND_YIELDS,
        INDEX_VALUATION,
        US_INDICES,
        STOCK_BARS,
        INDEX_BARS,
        CSI_INDEX,
        UNIVERSE,
        NAME_HISTORY,
        BOARDS,
        MEMBERSHIP,
        STOCK_RANKS,
        SECTOR_RANKS,
        US_BARS,
        NEWS,
    )
}
