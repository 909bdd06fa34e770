"""What akshare lacks, added around it: transport timeouts, a per-host rate limiter, retries with
exponential backoff and jitter (never on schema drift), cache clearing and quiet progress bars.

akshare calls `requests` from ~1,300 call sites and passes a timeout at 70 of them, so timeouts and rate
limits are enforced once, at `requests.adapters.HTTPAdapter.send`, for the duration of a `transport()` block.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

DEFAULT_TIMEOUT = (5.0, 20.0)  # (connect, read) seconds, where akshare passes none
MIN_INTERVAL = {
    "eastmoney.com": 1.0,
    "10jqka.com.cn": 2.0,
    "legulegu.com": 2.0,
    "sina.com.cn": 1.0,
    "csindex.com.cn": 1.0,
    "cninfo.com.cn": 1.0,
}
DEFAULT_INTERVAL = 0.5


class SchemaDriftError(RuntimeError):
    """akshare assigned column names by position and the upstream payload changed shape."""


class SourceBlockedError(RuntimeError):
    """The source answers with nothing or errors even for a symbol that always has data."""


def registrable_domain(url: str) -> str:
    host = urlsplit(url).hostname or ""
    parts = host.split(".")
    tail = 3 if host.endswith(".com.cn") else 2
    return ".".join(parts[-tail:])


class HostRateLimiter:
    """At most one request per host per min-interval (plus up to 30 % jitter); the live sources of a process
    share one (`shared_limiter`). It also counts, per host, the requests it let through and the time it held
    them back (`tally`): a run's request budget."""

    def __init__(
        self,
        intervals: dict[str, float] | None = None,
        default: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.intervals = MIN_INTERVAL if intervals is None else intervals
        self.default, self.clock, self.sleep = default, clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self.requests: dict[str, int] = {}
        self.waited: dict[str, float] = {}

    def wait(self, url: str) -> float:
        domain = registrable_domain(url)
        interval = self.intervals.get(domain, self.default)
        with self._lock:
            now = self.clock()
            start = max(now, self._next.get(domain, now))
            self._next[domain] = start + interval * (1 + random.uniform(0, 0.3))
            delay = start - now
            self.requests[domain] = self.requests.get(domain, 0) + 1
            self.waited[domain] = self.waited.get(domain, 0.0) + max(delay, 0.0)
        if delay > 0:
            self.sleep(delay)
        return delay

    def tally(self) -> dict[str, dict[str, float]]:
        """Per host (registrable domain): requests let through, and seconds they waited for their turn."""
        with self._lock:
            return {d: {"requests": n, "waited_s": round(self.waited[d], 1)} for d, n in sorted(self.requests.items())}


_SHARED: list[HostRateLimiter] = []


def shared_limiter() -> HostRateLimiter:
    """The process's limiter: every live source of the process (one per step) waits its turn in the same
    queue per host, so consecutive steps asking one host keep its interval too."""
    if not _SHARED:
        _SHARED.append(HostRateLimiter())
    return _SHARED[0]


def since(start: dict[str, dict[str, float]], now: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """What a limiter let through between two tallies, per host (hosts with no request left out)."""
    out = {}
    for host, counts in now.items():
        before = start.get(host, {"requests": 0, "waited_s": 0.0})
        if counts["requests"] > before["requests"]:
            waited = round(counts["waited_s"] - before["waited_s"], 1)
            out[host] = {"requests": counts["requests"] - before["requests"], "waited_s": waited}
    return out


@contextmanager
def transport(limiter: HostRateLimiter, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Inject a timeout where akshare passes none and rate-limit every request by host."""
    import requests.adapters

    original = requests.adapters.HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = timeout
        limiter.wait(request.url)
        return original(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = send
    try:
        yield
    finally:
        requests.adapters.HTTPAdapter.send = original


def clear_akshare_caches() -> int:
    """akshare memoises universes and board lists with lru_cache; a long-lived process would serve
    yesterday's answers. Clear every cached function in every loaded akshare module."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("akshare") or module is None:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == name:
                value.cache_clear()
                cleared += 1
    return cleared


def quiet_progress_bars() -> None:
    os.environ["TQDM_DISABLE"] = "1"


# akshare 1.19.5 assigns column names to whatever the server sent; on an answer with no rows these functions
# rename an empty frame and raise pandas' "Length mismatch: Expected axis has 0 elements" instead of
# returning one (read from their source). For them that message means "no data", not a changed layout.
RAISES_WHEN_EMPTY = frozenset(
    {
        "stock_fhps_em",
        "stock_zh_index_hist_csindex",
        "stock_board_industry_hist_em",
        "stock_board_concept_hist_em",
        "stock_individual_fund_flow",
    }
)


def is_empty_answer(exc: BaseException) -> bool:
    return isinstance(exc, ValueError) and "Length mismatch: Expected axis has 0 elements" in str(exc)


def is_schema_drift(exc: BaseException) -> bool:
    return isinstance(exc, ValueError) and "Length mismatch" in str(exc)


def is_retryable(exc: BaseException) -> bool:
    """Network trouble and the shapes a block takes inside akshare's parsers (data: null -> TypeError...)."""
    if is_schema_drift(exc):
        return False
    try:
        import requests

        network = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
    except ImportError:  # pragma: no cover
        network = ()
    akshare_errors: tuple[type[BaseException], ...] = ()
    if "akshare.exceptions" in sys.modules:
        mod = sys.modules["akshare.exceptions"]
        akshare_errors = tuple(
            getattr(mod, n) for n in ("NetworkError", "RateLimitError", "APIError") if hasattr(mod, n)
        )
    blocked_shapes = (
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        json.JSONDecodeError,
        ConnectionError,
        TimeoutError,
    )
    return isinstance(exc, network + akshare_errors + blocked_shapes)


@dataclass
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 5.0
    max_delay: float = 120.0
    sleep: Callable[[float], None] | None = field(default=None, repr=False)  # None: time.sleep

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [base*2^(attempt-1) / 2, base*2^(attempt-1)], capped."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        name = getattr(fn, "__name__", repr(fn))
        for attempt in range(1, self.attempts + 1):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if name in RAISES_WHEN_EMPTY and is_empty_answer(exc):
                    return None  # the server had no rows for this request
                if is_schema_drift(exc):
                    raise SchemaDriftError(
                        f"{name}{args or ''}: akshare's positional column names no longer fit the upstream "
                        f"payload ({exc}); not retried — upgrade akshare or the input spec"
                    ) from exc
                if not is_retryable(exc) or attempt == self.attempts:
                    raise
                (self.sleep or time.sleep)(self.delay(attempt))
        raise AssertionError("unreachable")
