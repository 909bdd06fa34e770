-- staging, us: one grain per table, keys unique, units canonical, provenance on every row.

CREATE TABLE IF NOT EXISTS staging.us_index_daily (
    us_trade_date DATE NOT NULL,  -- US/Eastern session date
    symbol VARCHAR NOT NULL,      -- Sina code: .IXIC, .NDX, .INX
    open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume_shares BIGINT, amount_usd DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (us_trade_date, symbol)
);

CREATE TABLE IF NOT EXISTS staging.us_bars_daily (
    us_trade_date       DATE NOT NULL,  -- US/Eastern session date
    symbol              VARCHAR NOT NULL,   -- Eastmoney code, e.g. 105.NVDA
    ticker              VARCHAR NOT NULL,   -- NVDA
    next_cn_trade_date  DATE NOT NULL,  -- first SSE session after the US session closed
    open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE,
    volume_shares BIGINT, amount_usd DOUBLE, pct_change DOUBLE, change DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (us_trade_date, symbol)
);

COMMENT ON TABLE staging.us_index_daily IS 'US index histories (.IXIC, .NDX, .INX) on the US calendar; the latest capture wins.';
COMMENT ON TABLE staging.us_bars_daily IS 'US AI-chain daily bars: ticker, next_cn_trade_date (the first SSE session after the US close).';
