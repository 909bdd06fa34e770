"""The stocks domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

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

UNIVERSE = Suite(
    "staging.stock_universe",
    row_rules=[*not_null("symbol", "name"), visible("name"), a_share_code(), unique("symbol")],
    partition_rules=partition_rows(),
)  # a snapshot far off the stored universe's size is refused

NAME_HISTORY = Suite(
    "staging.stock_name_history",
    row_rules=[*not_null("symbol", "name"), a_share_code(), unique("symbol", "snapshot_date")],
)
