"""The live source: real akshare calls, landed as received.

Per run: progress bars off, akshare's caches cleared, a canary call that tells "blocked" from "no data",
then one call per symbol over the whole requested range (akshare's server-side date filter), split into one
landing file per trading day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

from etl.calendar import previous_trading_day
from etl.catalog import STOCK_BAR_DATASETS, Index
from etl.landing import LandingZone
from etl.sources.base import LandedPartition, Source, SourceError
from etl.sources.gateway import (
    HostRateLimiter,
    RetryPolicy,
    SourceBlockedError,
    clear_akshare_caches,
    quiet_progress_bars,
    transport,
)

CANARY_SYMBOL = "000001"  # Ping An Bank: trades every session


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")  # the only date format akshare's servers accept (#3285)


def _shanghai_today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def _uniform(frame):
    """Frames from separate calls may disagree (date objects from one, strings from another). Parquet needs
    one type per column, so a column that mixes Python types is landed as text, which loses nothing."""
    for column in frame.columns:
        if frame[column].dtype == object:
            kinds = {type(v) for v in frame[column] if v is not None}
            if len(kinds) > 1:
                frame[column] = frame[column].map(lambda v: None if v is None else str(v))
    return frame


class AkshareSource(Source):
    name = "akshare"

    def __init__(self, landing: LandingZone, api: Any = None, retry: RetryPolicy | None = None,
                 limiter: HostRateLimiter | None = None, symbols: Sequence[str] | None = None):
        super().__init__(landing)
        self._api = api
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or HostRateLimiter()
        self.symbols = list(symbols) if symbols else None  # restrict the stock universe (e.g. for trials)

    @property
    def api(self) -> Any:
        if self._api is None:
            quiet_progress_bars()
            import akshare  # heavy: imported only when a live run needs it

            self._api = akshare
        return self._api

    def _version(self) -> str:
        try:
            return version("akshare")
        except Exception:  # pragma: no cover
            return "unknown"

    def _call(self, function: str, **kwargs: Any):
        fn = getattr(self.api, function)
        with transport(self.limiter):
            return self.retry.call(fn, **kwargs)

    def start_run(self) -> None:
        quiet_progress_bars()
        clear_akshare_caches()

    def canary(self, day: dt.date) -> None:
        start = previous_trading_day(previous_trading_day(day))
        try:
            frame = self._call("stock_zh_a_hist", symbol=CANARY_SYMBOL, period="daily",
                               start_date=_ymd(start), end_date=_ymd(day), adjust="")
        except Exception as exc:
            raise SourceBlockedError(f"canary stock_zh_a_hist({CANARY_SYMBOL}) failed: {exc!r}") from exc
        if frame is None or len(frame) == 0:
            raise SourceBlockedError(
                f"canary stock_zh_a_hist({CANARY_SYMBOL}, {start}..{day}) came back empty: the source is "
                "blocking or down, so empty answers for other symbols cannot be trusted as 'no data'"
            )

    def _land_by_day(self, frame, *, dataset, function, date_column, days, arguments) -> list[LandedPartition]:
        import pandas as pd  # the akshare boundary

        keys = pd.to_datetime(frame[date_column].astype(str)).dt.date if len(frame) else pd.Series([], dtype=object)
        landed = []
        for day in days:
            part = frame[keys.values == day] if len(frame) else frame
            if len(part) == 0:
                raise SourceError(f"{function} returned no rows for trading day {day} ({arguments})")
            self.landing.write(part, function=dataset, partition=day.isoformat(),
                               arguments={**arguments, "akshare_function": function, "partition": day.isoformat()},
                               source=self.name, akshare_version=self._version())
            landed.append(self._landed(dataset, function, day.isoformat()))
        return landed

    def land_stock_universe(self) -> LandedPartition:
        self.start_run()
        frame = self._call("stock_info_a_code_name")
        if frame is None or len(frame) == 0:
            raise SourceBlockedError("stock_info_a_code_name returned no rows")
        today = _shanghai_today().isoformat()
        self.landing.write(frame, function="stock_info_a_code_name", partition=today,
                           arguments={"akshare_function": "stock_info_a_code_name"},
                           source=self.name, akshare_version=self._version())
        return self._landed("stock_info_a_code_name", "stock_info_a_code_name", today)

    def land_stock_bars(self, days, dataset, symbols=None):
        import pandas as pd

        adjust = STOCK_BAR_DATASETS[dataset]
        days = sorted(days)
        self.start_run()
        self.canary(days[-1])
        wanted = self.symbols or list(symbols or [])
        if not wanted:
            raise SourceError("no symbols to fetch: materialise the stock universe first")
        frames, empty = [], []
        for symbol in wanted:
            frame = self._call("stock_zh_a_hist", symbol=symbol, period="daily", start_date=_ymd(days[0]),
                               end_date=_ymd(days[-1]), adjust=adjust)
            if frame is None or len(frame) == 0:
                empty.append(symbol)  # suspended, delisted or not yet listed: the canary answered
                continue
            if "股票代码" not in frame.columns:  # older akshare layouts had no code column
                frame = frame.assign(股票代码=symbol)
            frames.append(frame)
        frame = _uniform(pd.concat(frames, ignore_index=True)) if frames else pd.DataFrame()
        return self._land_by_day(frame, dataset=dataset, function="stock_zh_a_hist", date_column="日期", days=days,
                                 arguments={"adjust": adjust, "symbols": len(wanted), "no_data_count": len(empty),
                                            "no_data": empty[:50],
                                            "start_date": _ymd(days[0]), "end_date": _ymd(days[-1])})

    def land_index_bars(self, days, indices: Sequence[Index]):
        import pandas as pd

        days = sorted(days)
        self.start_run()
        frames = []
        for index in indices:
            frame = self._call("stock_zh_index_daily_em", symbol=index.symbol,
                               start_date=_ymd(days[0]), end_date=_ymd(days[-1]))
            if frame is None or len(frame) == 0:
                raise SourceError(f"stock_zh_index_daily_em({index.symbol}) returned no rows for {days[0]}..{days[-1]}")
            frames.append(frame.assign(symbol=index.symbol)[["symbol", *frame.columns]])
        frame = _uniform(pd.concat(frames, ignore_index=True))
        return self._land_by_day(frame, dataset="stock_zh_index_daily_em", function="stock_zh_index_daily_em",
                                 date_column="date", days=days,
                                 arguments={"symbols": [i.symbol for i in indices],
                                            "start_date": _ymd(days[0]), "end_date": _ymd(days[-1])})
