"""The stocks domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from domains.stocks.spot import RELATION_TOLERANCE
from domains.stocks.transforms import CAP_SHARES_BAND, FACTOR_FLOOR
from etl.gate.rules import (
    PCT_TOLERANCE,
    VWAP_TOLERANCE_PCT,
    Suite,
    a_ge_b,
    a_share_code,
    at_least,
    between,
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
        between("check_vwap_gap_pct", "amount_inconsistent_with_prices", "amount_cny", max_value=VWAP_TOLERANCE_PCT),
        between("check_band_excess_pct", "pct_change_outside_band", "pct_change", max_value=PCT_TOLERANCE),
        between("check_pct_change_gap", "pct_change_inconsistent", "pct_change", max_value=PCT_TOLERANCE),
        # the caps the marts weigh by (board_daily, theme_daily) and value with (stock_valuation_daily)
        between("market_cap_cny", "market_cap_not_positive", min_value=0, strict_min=True),
        between("float_cap_cny", "float_cap_not_positive", min_value=0, strict_min=True),
        between("check_float_over_total", "float_cap_above_total", "float_cap_cny", max_value=1.000001),
        between(
            "check_cap_shares_ratio",
            "market_cap_inconsistent_with_shares",
            "market_cap_cny",
            min_value=1 / CAP_SHARES_BAND,
            max_value=CAP_SHARES_BAND,
        ),
        # what the adjustment factors are derived from (marts.stock_adjustment_factors): the reference
        # previous close a bar states, judged against the close held before a factor is published
        flagged("check_reference_positive", "reference_not_positive", "change"),
        between("check_prev_close_gap", "prev_close_inconsistent", "prev_close_cny", max_value=RELATION_TOLERANCE),
        between("check_reference_factor", "reference_above_previous_close", max_value=1.0),
        between("check_reference_floor", "reference_below_factor_floor", min_value=FACTOR_FLOOR),
        between("check_close_jump_excess_pct", "close_jump_outside_band", "close", max_value=PCT_TOLERANCE),
    ],
    # flagged, not quarantined, counted and named in the check metadata
    flag_rules=[
        # a traded bar whose turnover rounds to 0.00 % is real, but it carries no float-cap weight into
        # cap-weighted returns
        between("turnover_pct", "zero_turnover", min_value=0, strict_min=True),
        # a loss-making stock's PE is a word (亏损) or "-": null in staging
        flagged("check_pe_present", "pe_not_a_number", "pe_dynamic"),
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
