-- staging, flows: one grain per table, keys unique, units canonical, provenance on every row.

CREATE TABLE IF NOT EXISTS staging.stock_fund_flow_rank (
    snapshot_date   DATE NOT NULL,      -- when the snapshot was taken (Asia/Shanghai)
    indicator       VARCHAR NOT NULL,   -- window: 今日 / 3日 / 5日 / 10日
    symbol          VARCHAR NOT NULL,
    session_date    DATE NOT NULL,      -- the last session the window ends on
    name            VARCHAR,
    pct_change      DOUBLE,
    main_net_inflow_cny DOUBLE, main_net_inflow_pct DOUBLE,
    super_large_net_inflow_cny DOUBLE, super_large_net_inflow_pct DOUBLE,
    large_net_inflow_cny DOUBLE, large_net_inflow_pct DOUBLE,
    medium_net_inflow_cny DOUBLE, medium_net_inflow_pct DOUBLE,
    small_net_inflow_cny DOUBLE, small_net_inflow_pct DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (snapshot_date, indicator, symbol)
);

CREATE TABLE IF NOT EXISTS staging.sector_fund_flow_rank (
    snapshot_date   DATE NOT NULL,
    indicator       VARCHAR NOT NULL,   -- 今日 / 5日 / 10日
    board_code      VARCHAR,            -- null for a region the board lists do not carry (live ranks have names only)
    sector_type     VARCHAR NOT NULL,   -- industry | concept | region
    session_date    DATE NOT NULL,
    board_name      VARCHAR NOT NULL,
    pct_change      DOUBLE,
    main_net_inflow_cny DOUBLE, main_net_inflow_pct DOUBLE,
    super_large_net_inflow_cny DOUBLE, super_large_net_inflow_pct DOUBLE,
    large_net_inflow_cny DOUBLE, large_net_inflow_pct DOUBLE,
    medium_net_inflow_cny DOUBLE, medium_net_inflow_pct DOUBLE,
    small_net_inflow_cny DOUBLE, small_net_inflow_pct DOUBLE,
    top_inflow_stock_name VARCHAR,
    top_inflow_stock_symbol VARCHAR,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (snapshot_date, indicator, sector_type, board_name)
);

CREATE TABLE IF NOT EXISTS staging.stock_fund_flow_daily (
    trade_date DATE NOT NULL, symbol VARCHAR NOT NULL,
    close DOUBLE, pct_change DOUBLE,
    main_net_inflow_cny DOUBLE, main_net_inflow_pct DOUBLE,
    super_large_net_inflow_cny DOUBLE, super_large_net_inflow_pct DOUBLE,
    large_net_inflow_cny DOUBLE, large_net_inflow_pct DOUBLE,
    medium_net_inflow_cny DOUBLE, medium_net_inflow_pct DOUBLE,
    small_net_inflow_cny DOUBLE, small_net_inflow_pct DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (trade_date, symbol)
);

CREATE TABLE IF NOT EXISTS staging.market_fund_flow_daily (
    trade_date DATE NOT NULL PRIMARY KEY,
    sse_close DOUBLE, sse_pct_change DOUBLE, szse_close DOUBLE, szse_pct_change DOUBLE,
    main_net_inflow_cny DOUBLE, main_net_inflow_pct DOUBLE,
    super_large_net_inflow_cny DOUBLE, super_large_net_inflow_pct DOUBLE,
    large_net_inflow_cny DOUBLE, large_net_inflow_pct DOUBLE,
    medium_net_inflow_cny DOUBLE, medium_net_inflow_pct DOUBLE,
    small_net_inflow_cny DOUBLE, small_net_inflow_pct DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ
);

COMMENT ON TABLE staging.stock_fund_flow_rank IS 'Main-force money rankings of stocks as captured; session_date is the session the window ends on.';
COMMENT ON TABLE staging.sector_fund_flow_rank IS 'Sector rankings; names resolved to BK codes through the board lists (regions keep a null code where the lists have none).';
COMMENT ON TABLE staging.stock_fund_flow_daily IS 'Per-stock fund flows; the latest capture of each day wins (upsert).';
COMMENT ON TABLE staging.market_fund_flow_daily IS 'Market-wide (SSE + SZSE) fund flows; the latest capture of each day wins.';
