"""The rule kinds of the expectation suites; each domain's suites.py writes its staging tables' suites in them.

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


def between(column: str, name: str, value: str | None = None, **bounds) -> Rule:
    """`column` within `bounds` (min_value, max_value, strict_min, strict_max as GX takes them); nulls are not
    judged. `value`: the column the quarantine shows (default `column`, which may be a derived check_*)."""
    return Rule(name, lambda E, f: E.ExpectColumnValuesToBeBetween(column=column, **bounds), value or column)


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


def suites() -> list[Suite]:
    """Every suite of every domain (domains/<d>/suites.py), in domain order."""
    from etl import plugins

    return [v for m in plugins.modules("suites") for v in vars(m).values() if isinstance(v, Suite)]
