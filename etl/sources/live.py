"""The live source: real akshare calls and how they are landed. What each dataset fetches is declared with
the dataset (domains/*/datasets.py); this module is the plumbing every fetch shares: akshare imported lazily, calls
with retries and per-host pacing (gateway.py), caches cleared and progress bars off per run, a canary call
that tells "blocked" from "no data", and landing per trading day or per capture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from etl.landing import LandingZone
from etl.market import CLOSURES_FILE, TIMEZONE, is_provisional, previous_trading_day, shanghai_today
from etl.settings import FIRST_SSE_SESSION
from etl.sources.base import DEFAULT_REQUEST, LandedPartition, Request, SnapshotRefused, Source, SourceError
from etl.sources.gateway import (
    HostRateLimiter,
    RetryPolicy,
    SourceBlockedError,
    clear_akshare_caches,
    quiet_progress_bars,
    shared_limiter,
    since,
    transport,
)

if TYPE_CHECKING:
    from etl.datasets import Dataset

CANARY_SYMBOL = "000001"  # Ping An Bank: trades every session


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


class NoRowsForDays(SourceError):
    """A range fetch that returned no row for any of the days asked: blocked, or the exchange was closed."""


def ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")  # the only date format akshare's servers accept (#3285)


def refuse_past(snapshot: dt.date | None, what: str) -> dt.date:
    """Today in Shanghai, or SnapshotRefused for another day: akshare returns the current state only."""
    today = shanghai_today()
    if snapshot is not None and snapshot != today:
        raise SnapshotRefused(
            f"{what} can only be captured as of today ({today}) from akshare: it returns the current state, "
            f"not {snapshot}'s. Past snapshots exist only where they were captured on the day."
        )
    return today


class AkshareSource(Source):
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
        self.limiter = limiter or shared_limiter()
        self._tally_at_start = self.limiter.tally()
        self.symbols = list(symbols) if symbols else None  # restrict the stock universe (e.g. for trials)

    def requests_made(self) -> dict[str, dict[str, float]]:
        """Per host, the HTTP requests made since this source was created and the seconds they waited for their
        turn: the step's own, as a process runs its steps one at a time, each with its own source."""
        return since(self._tally_at_start, self.limiter.tally())

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

    def call(self, function: str, **kwargs: Any):
        fn = getattr(self.api, function)
        with transport(self.limiter):
            return self.retry.call(fn, **kwargs)

    def call_each(
        self,
        dataset: Dataset,
        symbols,
        arguments,
        *,
        tag: bool = True,
        if_empty: str = "raise",
        hint: str = "",
    ):
        """One call of the dataset's function per symbol (`arguments(symbol)` its keyword arguments), the frames
        concatenated: the per-symbol fetch every such dataset shares. `tag`: a `symbol` column first, the
        request's symbol (akshare leaves it out). `if_empty`: "raise" names the symbol that came back empty
        (`hint` ends the message); "skip" leaves it out, and None comes back when every symbol did."""
        import pandas as pd

        frames = []
        for symbol in symbols:
            frame = self.call(dataset.function, **arguments(symbol))
            if frame is None or len(frame) == 0:
                if if_empty == "raise":
                    raise SourceError(f"{dataset.function}({symbol}) returned no rows{hint}")
                continue
            frames.append(frame.assign(symbol=symbol)[["symbol", *frame.columns]] if tag else frame)
        return pd.concat(frames, ignore_index=True) if frames else None

    def start_run(self) -> None:
        quiet_progress_bars()
        clear_akshare_caches()

    def canary(self, day: dt.date) -> None:
        start = previous_trading_day(previous_trading_day(day))
        if is_provisional(day):  # the sessions before may be provisional too, and closed: reach a fortnight back
            start = min(start, day - dt.timedelta(days=14))
        try:
            frame = self.call(
                "stock_zh_a_hist",
                symbol=CANARY_SYMBOL,
                period="daily",
                start_date=ymd(start),
                end_date=ymd(day),
                adjust="",
            )
        except Exception as exc:
            raise SourceBlockedError(f"canary stock_zh_a_hist({CANARY_SYMBOL}) failed: {exc!r}") from exc
        if frame is None or len(frame) == 0:
            raise SourceBlockedError(
                f"canary stock_zh_a_hist({CANARY_SYMBOL}, {start}..{day}) came back empty: the source is "
                "blocking or down, so empty answers for other symbols cannot be trusted as 'no data'"
            )

    def coverage(self, dataset: Dataset) -> tuple[dt.date, dt.date] | None:
        """From the dataset's first day at the source (or the exchange's first session) to today."""
        if dataset.fetch is None:
            return None
        if dataset.live_coverage is not None:
            return dataset.live_coverage()
        return dataset.live_since or FIRST_SSE_SESSION, shanghai_today()

    def land(self, dataset: Dataset, request: Request = DEFAULT_REQUEST) -> list[LandedPartition]:
        if dataset.fetch is None:
            raise SourceError(f"the live source cannot fetch {dataset.name}: {dataset.note or 'no fetch declared'}")
        return dataset.fetch(self, dataset, request)

    def land_capture(self, dataset: Dataset, frame, arguments: dict, key: str) -> LandedPartition:
        """One capture (a snapshot, a poll, a report period) as one landing file under partition `key`."""
        self.landing.write(
            _uniform(frame.copy()),
            function=dataset.name,
            partition=key,
            arguments={"akshare_function": dataset.function, **arguments},
            source=self.name,
            akshare_version=self._version(),
        )
        return self.landed(dataset, key)

    def land_by_day(self, dataset: Dataset, frame, *, date_column, days, arguments) -> list[LandedPartition]:
        """One landing file per requested day. Rows dated outside the run (a closed day, the future, a session
        not asked for, no date at all) are landed with the last day's file, so raw keeps them with that
        partition of arrival and the staging suite quarantines them by rule: nothing is dropped here."""
        frame = _uniform(frame.copy())  # one type per column, as Parquet needs
        import pandas as pd

        days_of = {v: _shanghai_day(v) for v in pd.unique(frame[date_column])} if len(frame) else {}
        keys = frame[date_column].map(days_of) if len(frame) else None  # a few dates for many rows
        stray = ~keys.isin(days) if keys is not None else None
        answered = [day for day in days if keys is not None and (keys == day).any()]
        if not answered and all(is_provisional(day) for day in days) and keys is None:
            # nothing at all for days no calendar confirms: the data's answer is a closure, which the gate
            # records (quality.calendar_days); retrying would bring nothing
            return []
        if not answered:
            came = f"{len(frame)} rows dated {sorted({str(k) for k in keys})[:5]}" if keys is not None else "no rows"
            raise NoRowsForDays(
                f"{dataset.function} returned no rows dated {', '.join(map(str, days))}: asked {arguments}; it "
                f"returned {came}. If the exchange was closed, declare the day in {CLOSURES_FILE.name} "
                "(etl/market.py declared_closures)"
            )
        # A day with no rows among days with rows is not the source failing (a retry brings nothing): it is not
        # landed, and its gate refuses it as an empty partition, the other days going on (an unscheduled
        # closure the calendar does not know yet, until it is declared).
        landed = []
        for day in answered:
            dated = keys == day
            part = frame[dated | stray] if day == answered[-1] else frame[dated]
            self.landing.write(
                part,
                function=dataset.name,
                partition=day.isoformat(),
                arguments={**arguments, "akshare_function": dataset.function, "partition": day.isoformat()},
                source=self.name,
                akshare_version=self._version(),
            )
            landed.append(self.landed(dataset, day.isoformat()))
        return landed
