"""Rates: China and US government bond yields, raw -> staging (live only: the recording has none)."""

from assets.gate import latest_capture_asset
from assets.raw import captured_raw_asset
from domains.rates import suites
from etl.settings import Settings
from etl.sources import Request

raw_bond_yields_daily = captured_raw_asset(
    "raw.bond_yields_daily",
    description="China and US 2/5/10/30-year government bond yields (bond_zh_us_rate), the whole history from the "
    "first partition (where the warehouse's history starts) at every capture. Live only: the recorded sample has "
    "none.",
    request=lambda wh: Request(start=Settings.from_env().first_session),
    scope_column="trade_date",
)

staging_bond_yields_daily = latest_capture_asset(
    suites.BOND_YIELDS,
    keys=["trade_date"],
    description="One row per date on which either market published: yields in percent, the latest capture wins.",
)
