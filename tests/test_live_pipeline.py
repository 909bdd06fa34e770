"""The live source through Dagster: akshare's real module with its network functions replaced by frames in
akshare's shapes. Same assets, same contracts, same tables as the recorded path."""

import akshare
import pytest

from assets.resources import MarketSourceResource
from tests.conftest import materialize_range, table
from tests.test_live_source import DAYS, FakeAkshare


@pytest.fixture
def fake_akshare(monkeypatch):
    fake = FakeAkshare({"600519": "strings"})
    for name in ("stock_zh_a_hist", "stock_zh_index_daily_em", "stock_info_a_code_name"):
        monkeypatch.setattr(akshare, name, getattr(fake, name))
    return fake


def test_live_run_lands_files_and_builds_the_same_tables(tmp_path, fake_akshare):
    path = tmp_path / "w.duckdb"
    live = MarketSourceResource(kind="akshare", live_landing=str(tmp_path / "landing"))
    result = materialize_range(path, DAYS[0].isoformat(), DAYS[1].isoformat(), source=live)
    assert result.success

    bars = table(path, "SELECT trade_date, symbol, adjust, volume_shares, source FROM staging.stock_bars_daily ORDER BY ALL")
    assert bars["symbol"].unique().sort().to_list() == ["000001", "600519"]
    assert set(bars["adjust"]) == {"qfq", "none"}
    assert set(bars["source"]) == {"akshare"}
    assert bars["trade_date"].unique().sort().to_list() == DAYS
    assert bars.filter(symbol="600519")["volume_shares"].to_list()[0] == 100_000  # 1000 手

    breadth = table(path, "SELECT * FROM marts.market_breadth_daily ORDER BY trade_date")
    assert breadth["stocks_traded"].to_list() == [2, 2]
    assert (tmp_path / "landing" / "stock_zh_a_hist" / "2025-02-05.parquet").exists()
    assert (tmp_path / "landing" / "_manifest.jsonl").exists()
    # materialisation metadata tells the UI which source the run used
    raw_events = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw", "stock_bars_daily"]]
    assert raw_events and raw_events[0].materialization.metadata["source"].value == "akshare"


def test_live_mode_refuses_an_unknown_source_name():
    with pytest.raises(ValueError, match="ASHARE_SOURCE must be one of"):
        MarketSourceResource(kind="tushare").get()
