"""The boards domain's expectation suites: the rules its staging candidates pass (etl/gate/rules.py for the
rule kinds, docs/quality.md for what each rule means)."""

from etl.gate.rules import (
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
