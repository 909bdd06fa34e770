"""A-share codes: the one place that knows which 6-digit codes exist, on which exchange and listing board,
and with which daily price-limit band. Suites, transforms, news tagging and the live source all ask here."""

from __future__ import annotations

import re

import polars as pl

# (code prefixes, exchange, listing board, limit band in percent). A code is its prefix plus digits to six.
BOARDS: tuple[tuple[tuple[str, ...], str, str, float], ...] = (
    (("688", "689"), "SSE", "star", 20.0),
    (("600", "601", "603", "605"), "SSE", "main", 10.0),
    (("300", "301", "302"), "SZSE", "chinext", 20.0),
    (("000", "001", "002", "003", "004"), "SZSE", "main", 10.0),
    (("920", "43", "83", "87", "88"), "BSE", "bse", 30.0),
)
MARKET_PREFIX = {"SSE": "sh", "SZSE": "sz", "BSE": "bj"}  # Eastmoney's market argument

_ALTERNATIVES = "|".join(f"{p}\\d{{{6 - len(p)}}}" for prefixes, *_ in BOARDS for p in prefixes)
A_SHARE_CODE = f"^(?:{_ALTERNATIVES})$"  # exactly six digits with a listed prefix
CODE_IN_TEXT = re.compile(f"(?<!\\d)({_ALTERNATIVES})(?!\\d)")


def exchange_of(symbol: str) -> str | None:
    for prefixes, exchange, _, _ in BOARDS:
        if re.fullmatch(A_SHARE_CODE, symbol) and symbol.startswith(prefixes):
            return exchange
    return None


def market_of(symbol: str) -> str:
    """'sh', 'sz' or 'bj' for Eastmoney's per-stock endpoints."""
    exchange = exchange_of(symbol)
    if exchange is None:
        raise ValueError(f"{symbol!r} is not an A-share code (etl/codes.py BOARDS)")
    return MARKET_PREFIX[exchange]


def classify(symbols: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(exchange, listing board, limit band) of each code; nulls for a code that is not an A-share."""
    exchange = board = band = None
    valid = symbols.str.contains(A_SHARE_CODE)
    for prefixes, ex, bd, pct in BOARDS:
        cond = valid & pl.any_horizontal([symbols.str.starts_with(p) for p in prefixes])
        exchange = (pl.when(cond).then(pl.lit(ex)) if exchange is None else exchange.when(cond).then(pl.lit(ex)))
        board = (pl.when(cond).then(pl.lit(bd)) if board is None else board.when(cond).then(pl.lit(bd)))
        band = (pl.when(cond).then(pl.lit(pct)) if band is None else band.when(cond).then(pl.lit(pct)))
    return exchange.otherwise(None), board.otherwise(None), band.otherwise(None)
