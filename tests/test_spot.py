"""The day's whole market from one snapshot (domains/stocks/spot.py): taken only after a session settled, its
positional labels checked against the values, landed as the session's unadjusted bars with the reference
previous close, caps and valuations; per-stock history fetches only the sessions the snapshot cannot give."""

import datetime as dt

import pytest

from domains.stocks import spot
from etl.market import SHANGHAI
from etl.sources.base import SnapshotRefused
from etl.sources.gateway import SchemaDriftError
from tests.akshare_frames import DAYS, SPOT_ROWS, SUSPENDED, FakeAkshare, live_source, zh_a_spot
from tests.conftest import materialize_range, table


def cst(y, m, d, hh, mm):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "reason"),
    [
        (cst(2025, 2, 8, 16, 0), "Saturday 2025-02-08 is not an SSE session"),
        (cst(2025, 1, 29, 16, 0), "Wednesday 2025-01-29 is not an SSE session"),  # Spring Festival
        (cst(2025, 2, 5, 14, 59), "before 15:30"),
        (cst(2025, 2, 5, 15, 10), "before 15:30"),  # continuous trading is over, after-hours is not
    ],
)
def test_a_snapshot_of_a_closed_day_or_before_the_session_settles_is_refused(now, reason):
    with pytest.raises(SnapshotRefused, match=reason):
        spot.settled_session(now)


def test_a_snapshot_after_the_session_settled_is_that_session_whatever_the_callers_time_zone():
    assert spot.settled_session(cst(2025, 2, 5, 15, 30)) == dt.date(2025, 2, 5)
    # 08:00 UTC is 16:00 in Shanghai
    assert spot.settled_session(dt.datetime(2025, 2, 5, 8, 0, tzinfo=dt.UTC)) == dt.date(2025, 2, 5)


def test_the_snapshot_as_akshare_returns_it_passes_the_layout_check():
    spot.check_layout(zh_a_spot(SPOT_ROWS))


def test_columns_in_another_order_are_refused_naming_the_positions():
    frame = zh_a_spot(SPOT_ROWS)
    order = list(frame.columns)
    order[12], order[13] = order[13], order[12]  # 昨收 and 量比 swapped
    with pytest.raises(SchemaDriftError, match=r"another order.*12: 量比 \(expected 昨收\)"):
        spot.check_layout(frame[order])


def test_labels_shifted_onto_other_fields_are_refused_naming_the_relation_they_break():
    """akshare labels by position: upstream inserting a field shifts every later label by one, names and order
    intact. The relations real snapshots satisfy catch it."""
    frame = zh_a_spot(SPOT_ROWS * 20)
    shifted = frame.copy()
    shifted["昨收"] = frame["量比"].to_numpy()  # the value one field over
    with pytest.raises(SchemaDriftError, match="最新价 = 昨收 \\+ 涨跌额 fails on 60 of 60 rows"):
        spot.check_layout(shifted)
    shifted = frame.copy()
    shifted["流通市值"], shifted["总市值"] = frame["总市值"].to_numpy(), frame["流通市值"].to_numpy()
    with pytest.raises(SchemaDriftError, match="流通市值 <= 总市值"):
        spot.check_layout(shifted)


def test_one_bad_row_is_not_drift_but_the_gates_business():
    rows = [(f"6000{i:02d}", "x", 10.0, 10.1) for i in range(40)]
    frame = zh_a_spot(rows)
    frame.loc[0, "昨收"] = 99.0
    spot.check_layout(frame)


@pytest.fixture
def after_the_close(monkeypatch):
    """Now is 16:00 CST on 2025-02-05, the first session after the Spring Festival."""
    import etl.market

    monkeypatch.setattr(etl.market, "shanghai_now", lambda: cst(2025, 2, 5, 16, 0))


def test_the_daily_run_takes_the_settled_session_from_the_snapshot_and_history_for_the_rest(tmp_path, after_the_close):
    fake = FakeAkshare({"spot": zh_a_spot([*SPOT_ROWS, SUSPENDED])})
    path = tmp_path / "w.duckdb"
    result = materialize_range(path, DAYS[0].isoformat(), DAYS[1].isoformat(), source=live_source(tmp_path / "l", fake))
    assert result.success

    hist = [c for c in fake.calls if c[0] == "stock_zh_a_hist" and c[1] != "000001"]  # the canary aside
    assert {(c[2], c[3]) for c in hist} == {("20250127", "20250127")}  # 2025-02-05 was not asked per stock
    assert {c[4] for c in hist} == {""}  # nor forward-adjusted: adjustment is derived
    assert [c for c in fake.calls if c[0] == "stock_zh_a_spot_em"] == [("stock_zh_a_spot_em",)]

    bars = table(
        path,
        "SELECT trade_date, symbol, adjust, close, volume_shares, prev_close_cny, float_cap_cny, pe_dynamic, "
        "source_function FROM staging.stock_bars_daily WHERE trade_date = '2025-02-05' ORDER BY symbol",
    )
    assert bars["symbol"].to_list() == ["000001", "600519", "601398"]  # ABC, suspended: no bar of zeros
    assert set(bars["source_function"]) == {"stock_zh_a_spot_em"} and set(bars["adjust"]) == {"none"}
    assert bars["close"].to_list() == [11.22, 1420.0, 6.85]
    assert bars["prev_close_cny"].to_list() == [11.0, 1408.26, 6.8]
    assert bars["volume_shares"].to_list() == [100_000] * 3  # 1000 手
    assert bars["float_cap_cny"].to_list() == [1.5e11] * 3 and bars["pe_dynamic"].to_list() == [8.5] * 3

    aside = table(
        path,
        "SELECT rule, value FROM quality.quarantine WHERE table_name = 'staging.stock_bars_daily' "
        "AND partition_key = '2025-02-05'",
    )
    assert aside.rows() == [("suspended_in_snapshot", "农业银行")]
    assert table(path, "SELECT count(*) AS n FROM raw.stock_spot_daily")["n"][0] == 4  # every row in raw

    # the marts weigh by the snapshot's float cap where it was taken, by amount / turnover where not
    caps = table(path, "SELECT trade_date, cap_source FROM marts.board_daily GROUP BY ALL ORDER BY ALL")
    assert caps.rows() == [(DAYS[0], "amount_over_turnover"), (DAYS[1], "float_cap")]
    valued = table(
        path,
        "SELECT symbol, pe_dynamic, market_cap_cny FROM marts.stock_valuation_daily WHERE trade_date = '2025-02-05'",
    )
    assert valued.rows() == [("000001", 8.5, 2e11), ("600519", 8.5, 2e11), ("601398", 8.5, 2e11)]

    meta = {tuple(e.asset_key.path): e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert meta[("raw", "stock_bars_daily")]["sessions_from_stock_spot_daily"].value == 1
    assert meta[("raw", "stock_spot_daily")]["sessions"].value == 1


def test_a_drifted_snapshot_falls_back_to_history_for_its_session_and_says_why(tmp_path, after_the_close):
    drifted = zh_a_spot(SPOT_ROWS)
    drifted = drifted[[*drifted.columns[:12], "量比", "昨收", *drifted.columns[14:]]]
    fake = FakeAkshare({"spot": drifted})
    path = tmp_path / "w.duckdb"
    result = materialize_range(path, DAYS[0].isoformat(), DAYS[1].isoformat(), source=live_source(tmp_path / "l", fake))
    assert result.success

    hist = [c for c in fake.calls if c[0] == "stock_zh_a_hist" and c[1] != "000001"]
    assert {(c[2], c[3]) for c in hist} == {("20250127", "20250205")}
    sources = table(
        path, "SELECT DISTINCT source_function FROM staging.stock_bars_daily WHERE trade_date = '2025-02-05'"
    )
    assert sources["source_function"].to_list() == ["stock_zh_a_hist"]
    assert table(path, "SELECT count(*) AS n FROM raw.stock_spot_daily")["n"][0] == 0
    meta = {tuple(e.asset_key.path): e.materialization.metadata for e in result.get_asset_materialization_events()}
    fallback = meta[("raw", "stock_bars_daily")]["fallback"].value
    assert len(fallback) == 1 and "another order" in fallback[0]
