-- staging, rates: one grain per table, keys unique, units canonical, provenance on every row.

CREATE TABLE IF NOT EXISTS staging.bond_yields_daily (
    trade_date DATE NOT NULL PRIMARY KEY,  -- a date on which China or the US published (the other: nulls)
    cn_2y_yield_pct DOUBLE, cn_5y_yield_pct DOUBLE, cn_10y_yield_pct DOUBLE, cn_30y_yield_pct DOUBLE,
    cn_10y_2y_spread_pct DOUBLE, cn_gdp_yoy_pct DOUBLE,
    us_2y_yield_pct DOUBLE, us_5y_yield_pct DOUBLE, us_10y_yield_pct DOUBLE, us_30y_yield_pct DOUBLE,
    us_10y_2y_spread_pct DOUBLE, us_gdp_yoy_pct DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ
);

COMMENT ON TABLE staging.bond_yields_daily IS 'China and US 2/5/10/30-year government bond yields in percent; the latest capture wins.';
