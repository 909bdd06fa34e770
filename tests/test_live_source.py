"""The live akshare source with akshare's functions replaced by frames in akshare's exact shapes."""

import json

import pytest
import requests

from domains.indices.datasets import INDEX_BARS
from domains.stocks.datasets import BARS_UNADJUSTED
from etl.config.tracking import INDICES
from etl.landing import LandingZone
from etl.sources import Request
from etl.sources.base import SourceError
from etl.sources.gateway import (
    HostRateLimiter,
    RetryPolicy,
    SchemaDriftError,
    SourceBlockedError,
    clear_akshare_caches,
    registrable_domain,
    transport,
)
from etl.sources.live import AkshareSource
from tests.akshare_frames import DAYS, FakeAkshare


def source(tmp_path, fake, attempts=3):
    return AkshareSource(
        LandingZone(tmp_path / "landing"),
        api=fake,
        retry=RetryPolicy(attempts=attempts, sleep=lambda s: None),
        limiter=HostRateLimiter(intervals={}, default=0.0),
    )


def test_bars_land_one_file_per_trading_day_with_a_manifest_row(tmp_path):
    src = source(tmp_path, FakeAkshare({"600519": "strings", "000002": "floats"}))
    landed = src.land(
        BARS_UNADJUSTED,
        Request(
            days=tuple(DAYS),
            symbols=(
                "000001",
                "600519",
                "000002",
            ),
        ),
    )
    assert [x.partition for x in landed] == ["2025-01-27", "2025-02-05"]
    frame = src.read(landed[1])
    assert sorted(frame["股票代码"].to_list()) == ["000001", "000002", "600519"]
    manifest = src.landing.manifest()[("stock_zh_a_hist_unadjusted", "2025-02-05")]
    assert manifest.rows == 3 and len(manifest.sha256) == 64 and manifest.source == "akshare"
    assert manifest.arguments["adjust"] == "" and manifest.arguments["start_date"] == "20250127"
    assert manifest.akshare_version == "1.19.5"
    assert landed[0].fetched_at is not None and landed[0].fetched_at.tzinfo is not None


def test_only_yyyymmdd_dates_are_sent(tmp_path):
    fake = FakeAkshare()
    source(tmp_path, fake).land(BARS_UNADJUSTED, Request(days=tuple(DAYS), symbols=("600519",)))
    assert ("stock_zh_a_hist", "600519", "20250127", "20250205", "") in fake.calls


def test_an_empty_answer_after_a_good_canary_means_no_data_for_that_symbol(tmp_path):
    src = source(tmp_path, FakeAkshare({"000002": "empty"}))
    landed = src.land(
        BARS_UNADJUSTED,
        Request(
            days=tuple(DAYS),
            symbols=(
                "600519",
                "000002",
            ),
        ),
    )
    assert src.read(landed[0])["股票代码"].to_list() == ["600519"]
    assert src.landing.manifest()[("stock_zh_a_hist_unadjusted", "2025-01-27")].arguments["no_data"] == ["000002"]


def test_an_empty_canary_means_blocked_and_nothing_is_landed(tmp_path):
    src = source(tmp_path, FakeAkshare({"000001": "empty"}))
    with pytest.raises(SourceBlockedError, match="came back empty"):
        src.land(BARS_UNADJUSTED, Request(days=tuple(DAYS), symbols=("600519",)))
    assert src.landing.partitions("stock_zh_a_hist_unadjusted") == []


def test_a_connection_error_is_retried_then_succeeds(tmp_path):
    fake = FakeAkshare({"600519": [requests.ConnectionError("Connection aborted. RemoteDisconnected"), "full"]})
    landed = source(tmp_path, fake).land(BARS_UNADJUSTED, Request(days=tuple(DAYS), symbols=("600519",)))
    assert len(landed) == 2
    assert [c[1] for c in fake.calls].count("600519") == 2


def test_schema_drift_is_not_retried(tmp_path):
    drift = ValueError("Length mismatch: Expected axis has 13 elements, new values have 12 elements")
    fake = FakeAkshare({"600519": [drift, "full"]})
    with pytest.raises(SchemaDriftError, match="Length mismatch"):
        source(tmp_path, fake).land(BARS_UNADJUSTED, Request(days=tuple(DAYS), symbols=("600519",)))
    assert [c[1] for c in fake.calls].count("600519") == 1


def test_persistent_network_errors_give_up_after_the_last_attempt(tmp_path):
    fake = FakeAkshare({"600519": [requests.ConnectionError("x")] * 5})
    with pytest.raises(requests.ConnectionError):
        source(tmp_path, fake, attempts=3).land(BARS_UNADJUSTED, Request(days=tuple(DAYS), symbols=("600519",)))
    assert [c[1] for c in fake.calls].count("600519") == 3


def test_index_frames_record_the_request_symbol(tmp_path):
    src = source(tmp_path, FakeAkshare())
    landed = src.land(INDEX_BARS, Request(days=tuple(DAYS), symbols=tuple(i.symbol for i in INDICES[:2])))
    frame = src.read(landed[0])
    assert frame.columns[0] == "symbol" and frame["symbol"].to_list() == ["sh000001", "sz399001"]


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    policy = RetryPolicy(base_delay=5, max_delay=120)
    for attempt, ceiling in [(1, 5), (2, 10), (3, 20), (7, 120)]:
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= x <= ceiling for x in delays)
        assert len(set(delays)) > 1  # jittered


def test_rate_limiter_spaces_requests_to_the_same_host():
    now = [0.0]
    slept = []
    limiter = HostRateLimiter(intervals={"eastmoney.com": 1.0}, clock=lambda: now[0], sleep=slept.append)
    limiter.wait("https://push2his.eastmoney.com/api")
    limiter.wait("https://82.push2.eastmoney.com/api")  # an alias of the same site
    limiter.wait("https://www.csindex.com.cn/x")  # another host is not held up
    assert len(slept) == 1 and 1.0 <= slept[0] <= 1.3
    assert registrable_domain("https://www.csindex.com.cn/x") == "csindex.com.cn"


def test_the_limiter_counts_each_hosts_requests_and_the_time_they_waited():
    now = [0.0]
    limiter = HostRateLimiter(intervals={"eastmoney.com": 1.0}, clock=lambda: now[0], sleep=lambda s: None)
    for url in ("https://push2his.eastmoney.com/a", "https://82.push2.eastmoney.com/b", "https://x.sina.com.cn/c"):
        limiter.wait(url)
    tally = limiter.tally()
    assert tally["eastmoney.com"]["requests"] == 2 and 1.0 <= tally["eastmoney.com"]["waited_s"] <= 1.3
    assert tally["sina.com.cn"] == {"requests": 1, "waited_s": 0.0}


def test_a_raw_steps_metadata_says_how_many_requests_it_made_per_host(tmp_path, monkeypatch):
    import requests.adapters

    from assets.raw import describe

    def fake_send(self, request, *args, **kwargs):
        response = requests.Response()
        response.status_code, response._content = 200, b"{}"
        return response

    class Api:  # an akshare function that pages through an endpoint, as stock_zh_a_spot_em does
        @staticmethod
        def stock_zh_a_spot_em():
            for page in range(3):
                requests.get(f"https://82.push2.eastmoney.com/api/qt/clist/get?pn={page}")
            return "frame"

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", fake_send)
    src = source(tmp_path, Api())
    assert src.call("stock_zh_a_spot_em") == "frame"
    import polars as pl

    meta = describe(pl.DataFrame(), src)
    assert meta["requests_by_host"].value == {"eastmoney.com": {"requests": 3, "waited_s": 0.0}}
    recorded = describe(pl.DataFrame(), type("Recorded", (), {"name": "recorded", "landing": src.landing})())
    assert "requests_by_host" not in recorded  # nothing was asked of a network


def test_the_live_sources_of_a_process_share_one_limiter_and_each_counts_its_own_requests(tmp_path, monkeypatch):
    # each step builds its own source: the host's interval must hold from one step's last request to the next's
    # first, and each step reports only the requests it made
    import requests.adapters

    from etl.sources import gateway

    now, slept = [0.0], []
    monkeypatch.setattr(gateway, "_SHARED", [HostRateLimiter(clock=lambda: now[0], sleep=slept.append)])

    def fake_send(self, request, *args, **kwargs):
        response = requests.Response()
        response.status_code, response._content = 200, b"{}"
        return response

    class Api:
        @staticmethod
        def stock_zh_a_spot_em():
            requests.get("https://82.push2.eastmoney.com/api/qt/clist/get")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", fake_send)
    first = AkshareSource(LandingZone(tmp_path / "landing"), api=Api())  # one step, then the next
    first.call("stock_zh_a_spot_em")
    assert first.requests_made() == {"eastmoney.com": {"requests": 1, "waited_s": 0.0}}
    second = AkshareSource(LandingZone(tmp_path / "landing"), api=Api())
    second.call("stock_zh_a_spot_em")
    assert first.limiter is second.limiter
    assert len(slept) == 1 and 1.0 <= slept[0] <= 1.3  # the second step waited for eastmoney's interval
    assert second.requests_made() == {"eastmoney.com": {"requests": 1, "waited_s": round(slept[0], 1)}}


def test_transport_injects_a_timeout_only_where_none_was_given(monkeypatch):
    import requests.adapters

    seen = []

    def fake_send(self, request, *args, **kwargs):
        seen.append(kwargs.get("timeout"))
        response = requests.Response()
        response.status_code, response._content = 200, json.dumps({"ok": 1}).encode()
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", fake_send)
    with transport(HostRateLimiter(intervals={}, default=0.0), timeout=(5.0, 20.0)):
        requests.get("https://push2his.eastmoney.com/api/qt/stock/kline/get")
        requests.get("https://www.csindex.com.cn/x", timeout=15)
    assert seen == [(5.0, 20.0), 15]
    assert requests.adapters.HTTPAdapter.send is fake_send  # restored


def test_akshare_caches_are_cleared(monkeypatch):
    """A cached helper in an akshare module, filled, is empty after the clear; a cache elsewhere is left alone."""
    import functools
    import sys
    import types

    def cached_module(name):
        module = types.ModuleType(name)

        @functools.lru_cache
        def universe(market):
            return [market]

        universe.__module__ = name
        module.universe = universe
        monkeypatch.setitem(sys.modules, name, module)
        universe("sh")
        return universe

    inside, outside = cached_module("akshare.stock.fake_cached"), cached_module("not_akshare_fake_cached")
    assert inside.cache_info().currsize == 1
    assert clear_akshare_caches() >= 1
    assert inside.cache_info().currsize == 0 and outside.cache_info().currsize == 1


def test_a_per_symbol_fetch_names_the_symbol_that_came_back_empty_or_skips_it(tmp_path):
    """AkshareSource.call_each, the loop every per-symbol fetch shares (US bars and indices, index bars, CSI
    histories and valuation, fund-flow histories)."""
    import pandas as pd

    class Answers(FakeAkshare):
        def stock_us_hist(self, symbol, **kwargs):
            return pd.DataFrame({"日期": ["2025-01-27"], "收盘": [118.42]}) if symbol == "105.NVDA" else pd.DataFrame()

    from domains.us.datasets import US_BARS

    live = source(tmp_path, Answers())
    both = ["105.NVDA", "105.XXXX"]
    with pytest.raises(SourceError, match=r"stock_us_hist\(105.XXXX\) returned no rows: a hint"):
        live.call_each(US_BARS, both, lambda s: {"symbol": s}, hint=": a hint")
    kept = live.call_each(US_BARS, both, lambda s: {"symbol": s}, if_empty="skip")
    assert kept.columns.tolist() == ["symbol", "日期", "收盘"] and kept["symbol"].tolist() == ["105.NVDA"]
    assert live.call_each(US_BARS, ["105.XXXX"], lambda s: {"symbol": s}, if_empty="skip") is None
    untagged = live.call_each(US_BARS, ["105.NVDA"], lambda s: {"symbol": s}, tag=False)
    assert untagged.columns.tolist() == ["日期", "收盘"]
