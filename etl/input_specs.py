"""One explicit input spec per akshare function: Chinese column -> snake_case name, dtype, unit factor to
canonical units (volume in shares, amounts in CNY, changes in percent) and nullability.

akshare's frames drift: dates arrive as date objects or strings, numbers as int64 one day and float64 the
next, placeholders such as "-" stand for missing values. `apply_input_spec` absorbs that and raises a
`InputSpecError` naming the function and the columns for anything else (missing, extra or renamed columns,
uncastable values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from etl.market import TIMEZONE

PLACEHOLDERS = ("-", "--", "", "None", "nan", "NaN")
LOT_SHARES = 100  # 1 手 = 100 shares
F, I, S, D = pl.Float64, pl.Int64, pl.String, pl.Date  # noqa: E741  (dtype initials, read down the input specs)


class InputSpecError(ValueError):
    def __init__(self, function: str, problem: str, columns: list[str], detail: str = ""):
        self.function, self.problem, self.columns, self.detail = function, problem, sorted(columns), detail
        msg = f"{function}: {problem}: {', '.join(self.columns)}"
        super().__init__(msg + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class Col:
    source: str
    name: str
    dtype: type[pl.DataType] | pl.DataType
    unit: str = ""
    factor: float = 1.0
    nullable: bool = True
    zfill: int = 0  # zero-pad codes that may arrive as integers
    # a ratio the source may state as a word (a loss-making stock's PE: 亏损): text that is no number is null,
    # not a failed input spec; the staging suite counts such rows
    words_as_null: bool = False


@dataclass(frozen=True)
class InputSpec:
    function: str
    columns: tuple[Col, ...]
    # Columns akshare added in some versions only (e.g. 股票代码 in stock_zh_a_hist); absent -> null.
    optional: frozenset[str] = field(default_factory=frozenset)

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema={c.name: c.dtype for c in self.columns})


# Dates are parsed strictly: 2025-01-27, 20250127, or either with a time of day (00:00:00); an offset
# (2025-02-04T16:00:00+00:00) is converted to Asia/Shanghai before the day is taken. Anything else
# (2025-1-27, 2025/01/27, 27.01.2025) cannot be cast and fails the input spec.
ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
COMPACT_DAY = r"^[0-9]{8}$"
WITH_OFFSET = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})$"


def _to_date(series: pl.Series) -> pl.Series:
    if series.dtype == pl.Date:
        return series
    if isinstance(series.dtype, pl.Datetime):
        if series.dtype.time_zone is not None:  # an instant: the Shanghai day it falls on
            series = series.dt.convert_time_zone(TIMEZONE)
        return series.dt.date()
    text = series.cast(pl.String).str.strip_chars()
    aware = text.str.replace(r"Z$", "+00:00").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, exact=True)
    aware = aware.fill_null(
        text.str.replace(r"Z$", "+00:00")
        .str.replace(" ", "T")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, exact=True)
    )
    shanghai_day = aware.dt.convert_time_zone(TIMEZONE).dt.date()
    compact = pl.select(
        pl.when(text.str.contains(ISO_DAY))
        .then(text.str.slice(0, 10).str.replace_all("-", ""))
        .when(text.str.contains(COMPACT_DAY))
        .then(text)
    ).to_series()
    day = compact.str.to_date("%Y%m%d", strict=False)
    offset = text.str.contains(WITH_OFFSET).fill_null(False)
    return pl.select(pl.when(offset).then(shanghai_day).otherwise(day)).to_series()


def _cast(series: pl.Series, col: Col) -> pl.Series:
    if series.dtype == pl.Object:  # e.g. a pandas object column holding date objects
        series = pl.Series(series.name, series.to_list(), strict=False)
    if col.dtype == pl.Date:
        return _to_date(series)
    if col.dtype == pl.String:
        out = series.cast(pl.String)
        if col.zfill:
            out = out.str.replace(r"\.0$", "").str.zfill(col.zfill)
        return out
    if series.dtype == pl.String:
        series = series.str.strip_chars()
        series = pl.when(series.is_in(PLACEHOLDERS)).then(None).otherwise(series)
        series = pl.select(series).to_series()
        series = series.cast(pl.Float64, strict=False)
    elif series.dtype == pl.Null:
        series = series.cast(pl.Float64)
    series = series.cast(pl.Float64, strict=False)
    if col.factor != 1.0:
        series = series * col.factor
    if col.dtype == pl.Int64:
        series = series.round(0)
    return series.cast(col.dtype, strict=False)


def to_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    return pl.from_pandas(frame)  # pandas only at the akshare boundary


def apply_input_spec(frame: Any, spec: InputSpec, provenance: dict[str, Any] | None = None) -> pl.DataFrame:
    """Rename, type and convert a frame as akshare returned it; append provenance columns."""
    df = to_polars(frame)
    if df.width == 0 and df.height == 0:  # akshare's pd.DataFrame() for "no data"
        df = spec.empty()
    else:
        expected = {c.source for c in spec.columns}
        actual = set(df.columns)
        missing = expected - actual - spec.optional
        extra = actual - expected
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {sorted(missing)}")
            if extra:
                parts.append(f"unexpected {sorted(extra)}")
            raise InputSpecError(
                spec.function, "columns differ from the input spec", sorted(missing | extra), "; ".join(parts)
            )
        booleans = [
            c.source
            for c in spec.columns
            if c.source in df.columns and c.dtype != pl.String and df.schema[c.source] == pl.Boolean
        ]
        if booleans:
            raise InputSpecError(spec.function, "booleans where the input spec expects numbers or dates", booleans)
        bad: dict[str, list[Any]] = {}
        out = {}
        for col in spec.columns:
            if col.source not in df.columns:
                out[col.name] = pl.Series(col.name, [None] * df.height, dtype=col.dtype)
                continue
            src = df.get_column(col.source)
            cast = _cast(src, col).alias(col.name)
            was_value = ~src.is_null()
            if src.dtype == pl.String:
                was_value &= ~src.str.strip_chars().is_in(PLACEHOLDERS)
            lost = was_value & cast.is_null()
            if col.words_as_null and src.dtype == pl.String:
                lost &= src.str.strip_chars().cast(pl.Float64, strict=False).is_not_null()
            if src.dtype in (pl.Float32, pl.Float64):
                lost &= ~src.is_nan()
            if lost.any():
                bad[col.source] = src.filter(lost).head(3).to_list()
            out[col.name] = cast
        if bad:
            raise InputSpecError(spec.function, "values that cannot be cast", list(bad), f"examples {bad}")
        df = pl.DataFrame(out)
        df = df.with_columns(pl.col(c).fill_nan(None) for c, t in df.schema.items() if t == pl.Float64)
    nulls = [c.name for c in spec.columns if not c.nullable and df.get_column(c.name).null_count()]
    if nulls:
        raise InputSpecError(spec.function, "nulls in non-nullable columns", nulls)
    for key, value in (provenance or {}).items():
        df = df.with_columns(pl.lit(value).alias(key))
    return df
