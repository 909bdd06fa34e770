"""What the daily path derives is judged like what it fetches (issue 32): a snapshot that repeats the last
session, a reference previous close no event explains, caps that cannot be, a PE stated as a word, a dividend
plan above the price. Each case is a bar or plan quarantined (or a snapshot refused) with the rule that says
why, and nothing of it reaches a factor, a weight or a yield."""

import datetime as dt
import shutil

import polars as pl
import pytest

from domains.stocks import spot
from domains.stocks.suites import STOCK_BARS
from domains.stocks.transforms import stock_bar_candidates
from etl.gate.gx import validate
from etl.market import SHANGHAI
from etl.sources.base import SnapshotRefused
from tests.akshare_frames import HIST_CLOSE, SPOT_ROWS, FakeAkshare, live_source, zh_a_spot
from tests.conftest import materialize_range, reland, table

PREV, DAY = dt.date(2025, 1, 27), dt.date(2025, 2, 5)


# --- the snapshot repeating the last session ------------------------------------------------------------


def held(rows) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "trade_date": [PREV] * len(rows),
            "symbol": [r[0] for r in rows],
            "close": [r[1] for r in rows],
            "volume_shares": [r[2] for r in rows],
        }
    )


def stale_spot():
    """The 2025-01-27 session again: every stock at the close and the volume held for it."""
    return zh_a_spot(
        [(code, name, round(HIST_CLOSE[code] / 1.05, 2), HIST_CLOSE[code]) for code, name, *_ in SPOT_ROWS]
    )


def test_a_snapshot_showing_the_last_session_held_is_refused_as_stale():
    last = held([(code, HIST_CLOSE[code], 100_000) for code, *_ in SPOT_ROWS])
    with pytest.raises(
        SnapshotRefused, match=r"stale: 3 of 3 traded stocks show the close and volume held for 2025-01-27"
    ):
        spot.check_fresh(stale_spot(), DAY, last)


def test_a_new_session_with_some_stocks_unchanged_is_not_stale():
    frame = zh_a_spot(SPOT_ROWS)
    # one stock of three closes where it did, on the same volume: a quiet stock, not a repeated page
    code, _, _, close = SPOT_ROWS[0]
    spot.check_fresh(frame, DAY, held([(code, close, 100_000), ("600519", 1408.26, 100_000)]))
    spot.check_fresh(frame, DAY, held([]))  # nothing held: nothing to compare


@pytest.fixture
def at(monkeypatch):
    """at(y, m, d, hh, mm): freeze Shanghai's clock there."""
    import etl.market

    def freeze(*when):
        monkeypatch.setattr(etl.market, "shanghai_now", lambda: dt.datetime(*when, tzinfo=SHANGHAI))

    return freeze


def test_the_daily_run_falls_back_to_history_when_the_snapshot_is_stale(tmp_path, at):
    path, landing = tmp_path / "w.duckdb", tmp_path / "l"
    at(2025, 2, 8, 16, 0)  # a Saturday: no snapshot, the session from history
    assert materialize_range(
        path, PREV.isoformat(), PREV.isoformat(), source=live_source(landing, FakeAkshare())
    ).success
    at(2025, 2, 5, 16, 0)
    fake = FakeAkshare({"spot": stale_spot()})
    result = materialize_range(path, DAY.isoformat(), DAY.isoformat(), source=live_source(landing, fake))
    assert result.success
    meta = {tuple(e.asset_key.path): e.materialization.metadata for e in result.get_asset_materialization_events()}
    fallback = meta[("raw", "stock_bars_daily")]["fallback"].value
    assert len(fallback) == 1 and "stale" in fallback[0] and "2025-01-27" in fallback[0]
    sources = table(path, f"SELECT DISTINCT source_function FROM staging.stock_bars_daily WHERE trade_date = '{DAY}'")
    assert sources["source_function"].to_list() == ["stock_zh_a_hist"]  # the session from history, not the page
    assert table(path, "SELECT count(*) AS n FROM raw.stock_spot_daily")["n"][0] == 0


# --- a snapshot's own fields, judged row by row -------------------------------------------------------


def snapshot_bar(symbol, close, prev_close, change=None, **values):
    """One unadjusted bar as the day's snapshot gives it (raw.stock_spot_daily through spot_bars)."""
    change = round(close - prev_close, 2) if change is None else change
    row = {
        "trade_date": DAY,
        "symbol": symbol,
        "adjust": "none",
        "open": prev_close,
        "high": max(close, prev_close) * 1.01,
        "low": min(close, prev_close) * 0.99,
        "close": close,
        "volume_shares": 100_000,
        "amount_cny": 100_000 * close,
        "amplitude_pct": 2.0,
        "pct_change": round(100 * change / (close - change), 2) if close != change else 5.0,
        "change": change,
        "turnover_pct": 0.5,
        "source": "akshare",
        "source_function": "stock_zh_a_spot_em",
        "fetched_at": dt.datetime(2025, 2, 5, 8, 0, tzinfo=dt.UTC),
        "partition_date": DAY,
        "prev_close_cny": prev_close,
        "market_cap_cny": 2e11,
        "float_cap_cny": 1.5e11,
        "pe_dynamic": 8.5,
        "pb": 0.9,
    }
    return {**row, **values}


def judged(bars, held_closes, plans=None):
    """The rules each bar breaks, by symbol (the first rule of the suite it breaks), and the flags."""
    raw = pl.DataFrame(bars)
    names = pl.DataFrame(
        {
            "symbol": raw["symbol"].unique().to_list(),
            "name": "x",
            "is_st": False,
            "valid_from": dt.date(2024, 1, 2),
            "valid_to": None,
        },
        schema_overrides={"valid_to": pl.Date},
    )
    seen = pl.DataFrame({"symbol": raw["symbol"].unique().to_list(), "first_date": dt.date(2024, 1, 2)})
    stored = pl.DataFrame(
        {
            "symbol": list(held_closes),
            "adjust": "none",
            "stored_close": [c for c, _ in held_closes.values()],
            "stored_date": PREV,
            "stored_cap": [cap for _, cap in held_closes.values()],
        },
        schema_overrides={"stored_cap": pl.Float64},
    )
    candidate = stock_bar_candidates(raw, names, seen, dt.date(2024, 1, 2), stored, plans)
    outcome = validate(STOCK_BARS, candidate, {"sessions": [DAY]})
    rules = {candidate["symbol"][r]: rule for r, rule in outcome.bad_rows.select("__row", "rule").iter_rows()}
    return rules, outcome.flagged


def test_a_prev_close_above_the_close_held_is_no_ex_date_and_gives_no_factor():
    """昨收 5 % above the close held, 涨跌额 and 涨跌幅 consistent with it: no event raises the reference, so the
    bar is quarantined (a factor of 1.05 and a −2.76 % 'decline' on a close that rose 2.1 % were published)."""
    rules, _ = judged(
        [snapshot_bar("600000", 10.21, 10.5), snapshot_bar("600001", 10.21, 10.0)],
        {"600000": (10.0, 2e11), "600001": (10.0, 2e11)},
    )
    assert rules == {"600000": "reference_above_previous_close"}


def test_a_prev_close_below_the_close_held_is_an_ex_date_within_the_floor_or_by_a_declared_plan():
    bars = [
        snapshot_bar("600000", 9.7, 9.5),  # 0.5 dividend: factor 0.95
        snapshot_bar("600001", 5.1, 5.0),  # 10送10 declared: factor 0.5
        snapshot_bar("600002", 5.1, 5.0),  # the same, undeclared
    ]
    plans = pl.DataFrame(
        {
            "symbol": ["600001"],
            "ex_date": [DAY],
            "cash_dividend_per_share_cny": [0.0],
            "bonus_per10": [10.0],
            "transfer_per10": [0.0],
        }
    )
    # a bonus issue doubles the shares as it halves the price: the cap, and so the shares it implies, follow
    rules, _ = judged(bars, {s: (10.0, 2e11) for s in ("600000", "600001", "600002")}, plans)
    assert rules == {"600002": "reference_below_factor_floor"}


def test_a_prev_close_that_disagrees_with_the_snapshots_own_change_is_quarantined():
    rules, _ = judged([snapshot_bar("600000", 10.2, 10.0, change=0.5)], {"600000": (10.0, 2e11)})
    assert rules == {"600000": "prev_close_inconsistent"}


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"market_cap_cny": -2e11}, "market_cap_not_positive"),
        ({"float_cap_cny": -1.5e11}, "float_cap_not_positive"),
        ({"float_cap_cny": 3e11}, "float_cap_above_total"),
        ({"market_cap_cny": 2e12, "float_cap_cny": 1.5e11}, "market_cap_inconsistent_with_shares"),  # ×10
    ],
)
def test_caps_that_cannot_be_are_quarantined_before_they_weigh_a_return(values, rule):
    rules, _ = judged(
        [snapshot_bar("600000", 10.2, 10.0, **values), snapshot_bar("600001", 10.2, 10.0)],
        {"600000": (10.0, 2e11), "600001": (10.0, 2e11)},
    )
    assert rules == {"600000": rule}


def test_a_pe_stated_as_a_word_is_a_null_with_a_flag_not_a_failed_day():
    from etl.input_specs import apply_input_spec
    from etl.sources.live import _uniform  # what landing does to a column of numbers and words: text

    frame = zh_a_spot(SPOT_ROWS)
    frame["市盈率-动态"] = frame["市盈率-动态"].astype(object)
    frame.loc[0, "市盈率-动态"] = "亏损"
    landed = apply_input_spec(_uniform(frame), spot.STOCK_ZH_A_SPOT_EM)
    assert landed["pe_dynamic"].null_count() == 1 and landed["pe_dynamic"].drop_nulls().to_list() == [8.5, 8.5]
    rules, flagged = judged(
        [snapshot_bar("600000", 10.2, 10.0, pe_dynamic=None), snapshot_bar("600001", 10.2, 10.0)],
        {"600000": (10.0, 2e11), "600001": (10.0, 2e11)},
    )
    assert rules == {} and flagged.get("pe_not_a_number") == 1
    # a number column holding a word is still an input spec error where the word has no meaning
    frame = zh_a_spot(SPOT_ROWS)
    frame["最新价"] = frame["最新价"].astype(object)
    frame.loc[0, "最新价"] = "亏损"
    with pytest.raises(ValueError, match="values that cannot be cast: 最新价"):
        apply_input_spec(_uniform(frame), spot.STOCK_ZH_A_SPOT_EM)


# --- history bars that state a reference, on the shipped sample ---------------------------------------


def edited(bars: pl.DataFrame, symbol: str, **values) -> pl.DataFrame:
    return bars.with_columns(
        **{
            k: pl.when(pl.col("股票代码") == symbol).then(pl.lit(v, bars.schema[k])).otherwise(pl.col(k))
            for k, v in values.items()
        }
    )


@pytest.fixture(scope="module")
def stated_references(tmp_path_factory):
    """The sample's unadjusted bars of 2025-02-05 with three stocks stating references no event explains."""
    from etl.settings import SAMPLE_LANDING

    tmp = tmp_path_factory.mktemp("references")
    copy = tmp / "sample"
    shutil.copytree(SAMPLE_LANDING, copy, ignore=shutil.ignore_patterns("stock_info_global_em", "news_cctv"))
    (copy / "stock_info_global_em").mkdir()
    (copy / "news_cctv").mkdir()
    function = "stock_zh_a_hist_unadjusted"
    bars = pl.read_parquet(copy / function / f"{DAY}.parquet")
    b = {r["股票代码"]: r for r in bars.filter(pl.col("股票代码").is_in(["600036", "601318"])).iter_rows(named=True)}
    ten = {k: round(b["600036"][k] * 10, 2) for k in ("开盘", "收盘", "最高", "最低")}
    # close ×10 (and its whole bar, amount too), 涨跌额 stating +9 % on it
    bars = edited(bars, "600036", **ten, 成交额=b["600036"]["成交额"] * 10, 涨跌额=round(ten["收盘"] * 0.09 / 1.09, 2))
    bars = edited(bars, "600036", 涨跌幅=9.0)
    # 涨跌额 stating a reference 6 % above the previous close (49.72 + 1.13 = 50.85)
    reference = round(50.85 * 1.06, 2)
    change = round(b["601318"]["收盘"] - reference, 2)
    bars = edited(bars, "601318", 涨跌额=change, 涨跌幅=round(100 * change / reference, 2))
    bars = edited(bars, "600030", 涨跌额=26.95)  # 涨跌额 equal to the close: a reference of 0
    reland(copy, function, DAY.isoformat(), bars)
    from assets.resources import MarketSourceResource

    path = tmp / "w.duckdb"
    result = materialize_range(
        path, "2025-01-22", DAY.isoformat(), source=MarketSourceResource(sample_landing=str(copy))
    )
    return path, result


def test_a_stated_reference_no_event_explains_quarantines_its_bar_and_publishes_no_factor(stated_references):
    path, result = stated_references
    assert result.success
    rules = table(
        path,
        "SELECT split_part(row_key, '|', 2) AS symbol, rule FROM quality.quarantine WHERE table_name = "
        f"'staging.stock_bars_daily' AND partition_key = '{DAY}' AND row_key LIKE '%|none' ORDER BY 1",
    )
    assert dict(rules.iter_rows()) == {
        "600030": "reference_not_positive",
        "600036": "reference_above_previous_close",
        "601318": "reference_above_previous_close",
    }
    factors = table(path, "SELECT ex_date, symbol FROM marts.stock_adjustment_factors ORDER BY ALL")
    assert factors.rows() == [(dt.date(2025, 1, 24), "600809"), (dt.date(2025, 1, 24), "600900")]  # the real ones
    check = next(e for e in result.get_asset_check_evaluations() if e.asset_key.path == ["staging", "stock_bars_daily"])
    m = {k: v.value for k, v in check.metadata.items()}
    assert m["raw_rows"] == m["passed_rows"] + m["quarantined_rows"] + m["superseded_rows"]
    closes = table(
        path, "SELECT max(close) AS c FROM staging.stock_bars_daily WHERE symbol = '600036' AND adjust = 'none'"
    )
    assert closes["c"][0] < 100  # the ×10 close staged nowhere


# --- dividend plans, and what the marts publish from them -------------------------------------------------


def plans(**changes):
    base = {
        "symbol": ["601398", "600519"],
        "report_period": [dt.date(2024, 6, 30)] * 2,
        "cash_dividend_per_share_cny": [0.1434, 23.882],
        "dividend_yield_ratio": [0.0221, 0.0163],
        "bonus_per10": [0.0, 0.0],
        "transfer_per10": [0.0, 0.0],
    }
    for column, (i, value) in changes.items():
        base[column][i] = value
    return pl.DataFrame(base)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"cash_dividend_per_share_cny": (0, 500.0)}, "dividend_not_below_price"),  # 500 CNY on a 6.69 CNY stock
        ({"bonus_per10": (0, -10.0)}, "negative_bonus_ratio"),
        ({"transfer_per10": (1, -5.0)}, "negative_transfer_ratio"),
    ],
)
def test_a_dividend_plan_above_the_price_or_with_negative_shares_is_quarantined(changes, rule):
    from domains.dividends.suites import DIVIDENDS
    from domains.dividends.transforms import with_price_check

    closes = pl.DataFrame({"symbol": ["601398", "600519"], "close": [6.69, 1420.0]})
    clean = validate(DIVIDENDS, with_price_check(plans(), closes))
    assert clean.bad_rows.height == 0
    frame = with_price_check(plans(**changes), closes)
    outcome = validate(DIVIDENDS, frame)
    assert outcome.bad_rows["rule"].to_list() == [rule]


def run_audit(check, path):
    from assets.resources import WarehouseResource

    return check(warehouse=WarehouseResource(path=str(path)))


def test_the_marts_audits_keep_an_implausible_factor_or_yield_from_bi(altered_warehouse):
    from assets.publish import factors_plausible, values_plausible

    good = altered_warehouse()
    assert run_audit(factors_plausible, good).passed and run_audit(values_plausible, good).passed
    bad = altered_warehouse(
        "UPDATE marts.stock_adjustment_factors SET adjustment_factor = 1.05 WHERE symbol = '600809'",
        "UPDATE marts.stock_valuation_daily SET ttm_dividend_yield_ratio = 34.76 "
        "WHERE symbol = '601398' AND trade_date = '2025-02-05'",
    )
    factors, values = run_audit(factors_plausible, bad), run_audit(values_plausible, bad)
    assert not factors.passed and factors.metadata["implausible_factors"].value == 1
    assert not values.passed and values.metadata["implausible_rows"].value == 1
