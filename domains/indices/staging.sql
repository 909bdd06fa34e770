-- staging, indices: one grain per table, keys unique, units canonical, provenance on every row.

CREATE TABLE IF NOT EXISTS staging.index_bars_daily (
    trade_date      DATE NOT NULL,
    index_code      VARCHAR NOT NULL,
    index_name      VARCHAR NOT NULL,
    open            DOUBLE,
    high            DOUBLE,
    low             DOUBLE,
    close           DOUBLE,
    volume_shares   BIGINT,
    amount_cny      DOUBLE,
    source          VARCHAR NOT NULL,
    source_function VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ,
    PRIMARY KEY (trade_date, index_code)
);

CREATE TABLE IF NOT EXISTS staging.csi_index_daily (
    trade_date DATE NOT NULL, index_code VARCHAR NOT NULL, index_name VARCHAR,
    open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, change DOUBLE, pct_change DOUBLE,
    volume_shares BIGINT, amount_cny DOUBLE, constituents BIGINT, pe_ttm DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (trade_date, index_code)
);

CREATE TABLE IF NOT EXISTS staging.index_valuation_daily (
    trade_date DATE NOT NULL, index_code VARCHAR NOT NULL, index_name VARCHAR,
    pe_total_shares DOUBLE, pe_index_shares DOUBLE,          -- CSI's 市盈率1 / 市盈率2
    dividend_yield_pct DOUBLE, dividend_yield_index_shares_pct DOUBLE,  -- 股息率1 / 股息率2, percent
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (trade_date, index_code)
);

COMMENT ON TABLE staging.index_bars_daily IS 'Daily bars of the tracked indices; 6-digit code and name from etl/config/tracking.py.';
COMMENT ON TABLE staging.csi_index_daily IS 'CSI''s own index histories: volume in shares (万手 × 10⁶), amount in CNY (亿元 × 10⁸), rolling PE.';
COMMENT ON TABLE staging.index_valuation_daily IS 'CSI valuation: PE (total and index shares), dividend yield in percent; the latest capture wins.';
