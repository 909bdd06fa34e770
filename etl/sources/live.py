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

from etl.catalog import STOCK_BAR_DATASETS, Index
from etl.landing import LandingZone
from etl.market import TIMEZONE, market_of, previous_trading_day, shanghai_today
from etl.sources.base import LandedPartition, SnapshotRefused, Source, SourceError
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


def _shanghai_day(value) -> dt.date | None:
    """The Asia/Shanghai date of a date, datetime or text; an instant with a time zone is converted first
    (2025-02-04T16:00:00Z is 5 February in Shanghai, not the 4th)."""
    import pandas as pd

    if _missing(value):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(TIMEZONE)
    return stamp.date()


def _missing(value) -> bool:
    """None, NaN and pandas' NaT/NA: akshare fills dates not yet set (a dividend plan not carried out) with NaT."""
    import pandas as pd

    return value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value)


def _uniform(frame):
    """Frames from separate calls may disagree (date objects from one, strings from another), and akshare
    leaves some columns as raw JSON (floats mixed with "-"). Parquet needs one type per column, so a column
    that mixes Python types is landed as text, which loses nothing; the input spec parses it. Missing markers
    (None, NaN, NaT) stay missing, never the text "NaT"."""
    for column in frame.columns:
        if frame[column].dtype == object:
            kinds = {type(v) for v in frame[column] if not _missing(v)}
            as_text = len(kinds) > 1
            if as_text or any(_missing(v) and v is not None for v in frame[column]):
                frame[column] = frame[column].map(
                    lambda v, as_text=as_text: None if _missing(v) else (str(v) if as_text else v)
                )
    return frame


# --- snapshots and histories -------------------------------------------------------------------------

BOARD_FUNCTIONS = {
    "concept": ("stock_board_concept_name_em", "stock_board_concept_cons_em", "stock_board_concept_hist_em"),
    "industry": ("stock_board_industry_name_em", "stock_board_industry_cons_em", "stock_board_industry_hist_em"),
}


def fold_indicator(frame, indicator: str):
    """akshare prefixes rank columns with the window (5日主力净流入-净额 ...). Land one layout for every window:
    the prefix folded to 今日 and the window kept in an `indicator` column, as the recording does."""
    renamed = {
        c: "今日" + c[len(indicator) :] for c in frame.columns if c.startswith(indicator) and indicator != "今日"
    }
    return frame.rename(columns=renamed).assign(indicator=indicator)


def _refuse_past(snapshot: dt.date | None, what: str) -> dt.date:
    today = shanghai_today()
    if snapshot is not None and snapshot != today:
        raise SnapshotRefused(
            f"{what} can only be captured as of today ({today}) from akshare: it returns the current state, "
            f"not {snapshot}'s. Past snapshots exist only where they were captured on the day."
        )
    return today


class LiveSnapshots:
    """Mixin: the snapshot and history calls of AkshareSource."""

    def _land_capture(self, dataset: str, function: str, frame, arguments: dict, key: str) -> LandedPartition:
        self.landing.write(
            _uniform(frame.copy()),
            function=dataset,
            partition=key,
            arguments={"akshare_function": function, **arguments},
            source=self.name,
            akshare_version=self._version(),
        )
        return self._landed(dataset, function, key)

    def land_board_lists(self, snapshot=None):
        today = _refuse_past(snapshot, "board lists")
        self.start_run()
        landed = []
        for names_fn, _, _ in BOARD_FUNCTIONS.values():
            frame = self._call(names_fn)
            if frame is None or len(frame) == 0:
                raise SourceBlockedError(f"{names_fn} returned no boards")
            landed.append(self._land_capture(names_fn, names_fn, frame, {}, today.isoformat()))
        return landed

    def land_board_membership(self, boards, snapshot=None):
        import pandas as pd

        today = _refuse_past(snapshot, "board membership")
        self.start_run()
        landed = []
        for board_type, (_, cons_fn, _) in BOARD_FUNCTIONS.items():
            frames = []
            empty = []
            for board in [b for b in boards if b.board_type == board_type]:
                frame = self._call(cons_fn, symbol=board.code)  # BK codes: names break on stale caches (#5771)
                if frame is None or len(frame) == 0:
                    empty.append(board.code)  # that board's answer, recorded; the others still count
                    continue
                frames.append(frame.assign(symbol=board.code, 板块代码=board.code, snapshot_date=today))
            if frames:
                landed.append(
                    self._land_capture(
                        cons_fn,
                        cons_fn,
                        pd.concat(frames, ignore_index=True),
                        {"boards": [b.code for b in boards if b.board_type == board_type], "no_members": empty},
                        today.isoformat(),
                    )
                )
            elif empty:
                raise SourceBlockedError(f"{cons_fn} returned no members for any of {len(empty)} boards ({empty[:5]})")
        return landed

    def land_board_bars(self, days, boards):
        import pandas as pd

        days = sorted(days)
        self.start_run()
        landed = []
        for board_type, (_, _, hist_fn) in BOARD_FUNCTIONS.items():
            frames = []
            for board in [b for b in boards if b.board_type == board_type]:
                kwargs = dict(symbol=board.code, start_date=_ymd(days[0]), end_date=_ymd(days[-1]), adjust="")
                kwargs["period"] = "daily" if board_type == "concept" else "日k"  # the industry variant's values
                frame = self._call(hist_fn, **kwargs)
                if frame is not None and len(frame):
                    frames.append(frame.assign(board_code=board.code)[["board_code", *frame.columns]])
            if frames:
                frame = pd.concat(frames, ignore_index=True)
                landed += self._land_by_day(
                    frame,
                    dataset=hist_fn,
                    function=hist_fn,
                    date_column="日期",
                    days=days,
                    arguments={"boards": [b.code for b in boards if b.board_type == board_type]},
                )
        return landed

    def land_fund_flow_ranks(self, snapshot=None):
        import pandas as pd

        from etl.catalog import RANK_INDICATORS, SECTOR_INDICATORS, SECTOR_TYPES

        today = _refuse_past(snapshot, "fund-flow ranks")
        self.start_run()
        stock = [fold_indicator(self._call("stock_individual_fund_flow_rank", indicator=i), i) for i in RANK_INDICATORS]
        sector = [
            fold_indicator(self._call("stock_sector_fund_flow_rank", indicator=i, sector_type=t), i).assign(
                sector_type=t
            )
            for i in SECTOR_INDICATORS
            for t in SECTOR_TYPES
        ]
        out = []
        for function, frames in (("stock_individual_fund_flow_rank", stock), ("stock_sector_fund_flow_rank", sector)):
            frame = pd.concat(frames, ignore_index=True).assign(snapshot_date=today)
            if len(frame) == 0:
                raise SourceBlockedError(f"{function} returned no rows")
            out.append(self._land_capture(function, function, frame, {}, today.isoformat()))
        return out

    def land_flow_history(self, symbols):
        import pandas as pd

        today = shanghai_today().isoformat()
        self.start_run()
        frames = []
        for symbol in symbols:
            frame = self._call("stock_individual_fund_flow", stock=symbol, market=market_of(symbol))
            if frame is not None and len(frame):
                frames.append(frame.assign(symbol=symbol)[["symbol", *frame.columns]])
        landed = []
        if frames:
            landed.append(
                self._land_capture(
                    "stock_individual_fund_flow",
                    "stock_individual_fund_flow",
                    pd.concat(frames, ignore_index=True),
                    {"symbols": list(symbols)},
                    today,
                )
            )
        market = self._call("stock_market_fund_flow")
        if market is not None and len(market):
            landed.append(self._land_capture("stock_market_fund_flow", "stock_market_fund_flow", market, {}, today))
        return landed

    def land_csi_index_bars(self, days, codes):
        import pandas as pd

        days = sorted(days)
        self.start_run()
        frames = [
            self._call("stock_zh_index_hist_csindex", symbol=code, start_date=_ymd(days[0]), end_date=_ymd(days[-1]))
            for code in codes
        ]
        frame = pd.concat([f for f in frames if f is not None and len(f)], ignore_index=True)
        return self._land_by_day(
            frame,
            dataset="stock_zh_index_hist_csindex",
            function="stock_zh_index_hist_csindex",
            date_column="日期",
            days=days,
            arguments={"symbols": list(codes)},
        )

    def land_us_bars(self, symbols, start):
        import pandas as pd

        self.start_run()
        end = shanghai_today()
        frames = []
        for symbol in symbols:
            frame = self._call(
                "stock_us_hist", symbol=symbol, period="daily", start_date=_ymd(start), end_date=_ymd(end), adjust="qfq"
            )
            if frame is None or len(frame) == 0:
                raise SourceError(f"stock_us_hist({symbol}) returned no rows: check the 105./106. market prefix")
            frames.append(frame.assign(symbol=symbol)[["symbol", *frame.columns]])
        frame = pd.concat(frames, ignore_index=True)
        sessions = sorted({dt.date.fromisoformat(str(x)[:10]) for x in frame["日期"]})
        keys = frame["日期"].astype(str).str.slice(0, 10)
        landed = []
        for day in sessions:  # one file per US session, as the recording
            part = frame[keys.values == day.isoformat()]
            landed.append(
                self._land_capture(
                    "stock_us_hist", "stock_us_hist", part, {"symbols": list(symbols), "adjust": "qfq"}, day.isoformat()
                )
            )
        return landed

    def land_dividends(self, report_periods):
        from etl.market import report_deadline

        landed = []
        self.skipped_periods = {}
        self.start_run()
        for period in report_periods:
            day = dt.datetime.strptime(period, "%Y%m%d").date()
            due = report_deadline(day) >= shanghai_today()
            try:
                frame = self._call("stock_fhps_em", date=period)
            except TypeError:  # akshare indexes a null `result`: the server has nothing for the period
                if not due:
                    raise
                frame = None
            if frame is None or len(frame) == 0:
                self.skipped_periods[period] = (
                    f"not published yet (reports due by {report_deadline(day)})"
                    if due
                    else "no dividend plans returned"
                )
                continue
            day = dt.datetime.strptime(period, "%Y%m%d").date()
            landed.append(
                self._land_capture(
                    "stock_fhps_em", "stock_fhps_em", frame.assign(report_period=day), {"date": period}, day.isoformat()
                )
            )
        return landed

    def land_news_cctv(self, dates):
        landed = []
        self.start_run()
        for day in dates:
            frame = self._call("news_cctv", date=_ymd(day))
            if frame is None or len(frame) == 0:
                raise SourceError(f"news_cctv({_ymd(day)}) returned no items (the broadcast airs daily)")
            landed.append(self._land_capture("news_cctv", "news_cctv", frame, {"date": _ymd(day)}, day.isoformat()))
        return landed

    def land_news_feed(self):
        self.start_run()
        frame = self._call("stock_info_global_em")
        if frame is None or len(frame) == 0:
            raise SourceBlockedError("stock_info_global_em returned no items")
        now = dt.datetime.now(dt.UTC)
        key = now.strftime("%Y-%m-%dT%H%M%SZ")  # a rolling window of 200 items: one file per poll
        self._land_capture("stock_info_global_em", "stock_info_global_em", frame, {}, key)
        return self.landed_all("stock_info_global_em")


class AkshareSource(LiveSnapshots, Source):
    name = "akshare"

    def __init__(
        self,
        landing: LandingZone,
        api: Any = None,
        retry: RetryPolicy | None = None,
        limiter: HostRateLimiter | None = None,
        symbols: Sequence[str] | None = None,
    ):
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
            frame = self._call(
                "stock_zh_a_hist",
                symbol=CANARY_SYMBOL,
                period="daily",
                start_date=_ymd(start),
                end_date=_ymd(day),
                adjust="",
            )
        except Exception as exc:
            raise SourceBlockedError(f"canary stock_zh_a_hist({CANARY_SYMBOL}) failed: {exc!r}") from exc
        if frame is None or len(frame) == 0:
            raise SourceBlockedError(
                f"canary stock_zh_a_hist({CANARY_SYMBOL}, {start}..{day}) came back empty: the source is "
                "blocking or down, so empty answers for other symbols cannot be trusted as 'no data'"
            )

    def _land_by_day(self, frame, *, dataset, function, date_column, days, arguments) -> list[LandedPartition]:
        """One landing file per requested day. Rows dated outside the run (a closed day, the future, a session
        not asked for, no date at all) are landed with the last day's file, so raw keeps them with that
        partition of arrival and the staging suite quarantines them by rule: nothing is dropped here."""
        frame = _uniform(frame.copy())  # one type per column, as Parquet needs
        import pandas as pd

        days_of = {v: _shanghai_day(v) for v in pd.unique(frame[date_column])} if len(frame) else {}
        keys = frame[date_column].map(days_of) if len(frame) else None  # a few dates for many rows
        stray = ~keys.isin(days) if keys is not None else None
        landed = []
        for day in days:
            dated = (keys == day) if keys is not None else None
            if dated is None or not dated.any():
                came = (
                    f"{len(frame)} rows dated {sorted({str(k) for k in keys})[:5]}"
                    if keys is not None
                    else "no rows at all"
                )
                raise SourceError(f"{function} returned no rows dated {day}: asked {arguments}; it returned {came}")
            part = frame[dated | stray] if day == days[-1] else frame[dated]
            self.landing.write(
                part,
                function=dataset,
                partition=day.isoformat(),
                arguments={**arguments, "akshare_function": function, "partition": day.isoformat()},
                source=self.name,
                akshare_version=self._version(),
            )
            landed.append(self._landed(dataset, function, day.isoformat()))
        return landed

    def land_stock_universe(self) -> LandedPartition:
        self.start_run()
        frame = self._call("stock_info_a_code_name")
        if frame is None or len(frame) == 0:
            raise SourceBlockedError("stock_info_a_code_name returned no rows")
        today = shanghai_today().isoformat()
        self.landing.write(
            frame,
            function="stock_info_a_code_name",
            partition=today,
            arguments={"akshare_function": "stock_info_a_code_name"},
            source=self.name,
            akshare_version=self._version(),
        )
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
            frame = self._call(
                "stock_zh_a_hist",
                symbol=symbol,
                period="daily",
                start_date=_ymd(days[0]),
                end_date=_ymd(days[-1]),
                adjust=adjust,
            )
            if frame is None or len(frame) == 0:
                empty.append(symbol)  # suspended, delisted or not yet listed: the canary answered
                continue
            if "股票代码" not in frame.columns:  # older akshare layouts had no code column
                frame = frame.assign(股票代码=symbol)
            frames.append(frame)
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return self._land_by_day(
            frame,
            dataset=dataset,
            function="stock_zh_a_hist",
            date_column="日期",
            days=days,
            arguments={
                "adjust": adjust,
                "symbols": len(wanted),
                "no_data_count": len(empty),
                "no_data": empty[:50],
                "start_date": _ymd(days[0]),
                "end_date": _ymd(days[-1]),
            },
        )

    def land_index_bars(self, days, indices: Sequence[Index]):
        import pandas as pd

        days = sorted(days)
        self.start_run()
        frames = []
        for index in indices:
            frame = self._call(
                "stock_zh_index_daily_em", symbol=index.symbol, start_date=_ymd(days[0]), end_date=_ymd(days[-1])
            )
            if frame is None or len(frame) == 0:
                raise SourceError(f"stock_zh_index_daily_em({index.symbol}) returned no rows for {days[0]}..{days[-1]}")
            frames.append(frame.assign(symbol=index.symbol)[["symbol", *frame.columns]])
        frame = pd.concat(frames, ignore_index=True)
        return self._land_by_day(
            frame,
            dataset="stock_zh_index_daily_em",
            function="stock_zh_index_daily_em",
            date_column="date",
            days=days,
            arguments={"symbols": [i.symbol for i in indices], "start_date": _ymd(days[0]), "end_date": _ymd(days[-1])},
        )
