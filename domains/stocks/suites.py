"""The stocks domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from domains.stocks.spot import RELATION_TOLERANCE
from domains.stocks.transforms import CAP_SHARES_BAND, FACTOR_FLOOR
from etl.gate.rules import (
    PCT_TOLERANCE,
    VWAP_TOLERANCE_PCT,
    Rule,
    Suite,
    a_ge_b,
    a_share_code,
    at_least,
    date_in_partition,
    flagged,
    not_null,
    partition_rows,
    trading_day,
    unique,
    visible,
)

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
        # the caps the marts weigh by (board_daily, theme_daily) and value with (stock_valuation_daily)
        Rule(
            "market_cap_not_positive",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="market_cap_cny", min_value=0, strict_min=True),
            "market_cap_cny",
        ),
        Rule(
            "float_cap_not_positive",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="float_cap_cny", min_value=0, strict_min=True),
            "float_cap_cny",
        ),
        Rule(
            "float_cap_above_total",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_float_over_total", max_value=1.000001),
            "float_cap_cny",
        ),
        Rule(
            "market_cap_inconsistent_with_shares",
            lambda E, f: E.ExpectColumnValuesToBeBetween(
                column="check_cap_shares_ratio", min_value=1 / CAP_SHARES_BAND, max_value=CAP_SHARES_BAND
            ),
            "market_cap_cny",
        ),
        # what the adjustment factors are derived from (marts.stock_adjustment_factors): the reference
        # previous close a bar states, judged against the close held before a factor is published
        flagged("check_reference_positive", "reference_not_positive", "change"),
        Rule(
            "prev_close_inconsistent",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_prev_close_gap", max_value=RELATION_TOLERANCE),
            "prev_close_cny",
        ),
        Rule(
            "reference_above_previous_close",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_reference_factor", max_value=1.0),
            "check_reference_factor",
        ),
        Rule(
            "reference_below_factor_floor",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="check_reference_floor", min_value=FACTOR_FLOOR),
            "check_reference_floor",
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
        # a loss-making stock's PE is a word (亏损) or "-": null in staging, counted here
        flagged("check_pe_present", "pe_not_a_number", "pe_dynamic"),
        Rule(
            "zero_turnover",
            lambda E, f: E.ExpectColumnValuesToBeBetween(column="turnover_pct", min_value=0, strict_min=True),
            "turnover_pct",
        ),
    ],
    partition_rules=partition_rows(),
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
