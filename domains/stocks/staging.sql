-- staging, stocks: one grain per table, keys unique, units canonical, provenance on every row.

CREATE TABLE IF NOT EXISTS staging.stock_universe (
    symbol          VARCHAR NOT NULL PRIMARY KEY,
    name            VARCHAR NOT NULL,
    exchange        VARCHAR NOT NULL,   -- SSE, SZSE, BSE
    listing_board   VARCHAR NOT NULL,   -- main, chinext, star, bse
    is_st           BOOLEAN NOT NULL,
    price_limit_pct DOUBLE NOT NULL,    -- daily price-limit band in percent (10, 5, 20, 30)
    snapshot_date   DATE NOT NULL,
    source          VARCHAR NOT NULL,
    source_function VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS staging.stock_bars_daily (
    trade_date      DATE NOT NULL,
    symbol          VARCHAR NOT NULL,
    adjust          VARCHAR NOT NULL,
    open            DOUBLE,
    high            DOUBLE,
    low             DOUBLE,
    close           DOUBLE,
    volume_shares   BIGINT,
    amount_cny      DOUBLE,
    amplitude_pct   DOUBLE,
    pct_change      DOUBLE,
    change          DOUBLE,
    turnover_pct    DOUBLE,
    source          VARCHAR NOT NULL,
    source_function VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ,
    prev_close_cny  DOUBLE,             -- from the day's snapshot (stock_zh_a_spot_em) only, as the next four
    market_cap_cny  DOUBLE,
    float_cap_cny   DOUBLE,
    pe_dynamic      DOUBLE,
    pb              DOUBLE,
    PRIMARY KEY (trade_date, symbol, adjust)
);
-- added 2026-12-06 (issue 25) after the table: warehouses built before get them here
ALTER TABLE staging.stock_bars_daily ADD COLUMN IF NOT EXISTS prev_close_cny DOUBLE;
ALTER TABLE staging.stock_bars_daily ADD COLUMN IF NOT EXISTS market_cap_cny DOUBLE;
ALTER TABLE staging.stock_bars_daily ADD COLUMN IF NOT EXISTS float_cap_cny DOUBLE;
ALTER TABLE staging.stock_bars_daily ADD COLUMN IF NOT EXISTS pe_dynamic DOUBLE;
ALTER TABLE staging.stock_bars_daily ADD COLUMN IF NOT EXISTS pb DOUBLE;

CREATE TABLE IF NOT EXISTS staging.stock_name_history (
    symbol      VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    is_st       BOOLEAN NOT NULL,
    valid_from  DATE NOT NULL,          -- first universe snapshot showing this name
    valid_to    DATE,                   -- first later snapshot without it (exclusive); null while current
    PRIMARY KEY (symbol, valid_from)
);

COMMENT ON TABLE staging.stock_universe IS 'Listed A-shares in the latest snapshot: exchange, listing board (main / chinext / star / bse), ST flag, price-limit band (10 / 5 / 20 / 30 %).';
COMMENT ON TABLE staging.stock_name_history IS 'Names and ST flags with validity dates, from every universe snapshot; the breadth mart takes each day''s band from it.';
COMMENT ON TABLE staging.stock_bars_daily IS 'Daily bars per price basis (adjust = qfq as recorded | none): per-stock history, or the day''s whole-market snapshot, which adds the reference previous close, caps, PE and PB.';
COMMENT ON COLUMN staging.stock_bars_daily.prev_close_cny IS 'The exchange''s reference previous close (ex-rights), CNY; snapshot bars only.';
COMMENT ON COLUMN staging.stock_bars_daily.market_cap_cny IS 'Total market cap at the close, CNY (总市值); snapshot bars only.';
COMMENT ON COLUMN staging.stock_bars_daily.float_cap_cny IS 'Float (tradable) market cap at the close, CNY (流通市值); snapshot bars only.';
COMMENT ON COLUMN staging.stock_bars_daily.pe_dynamic IS 'Price / earnings, dynamic (市盈率-动态: latest quarter annualised); snapshot bars only.';
COMMENT ON COLUMN staging.stock_bars_daily.pb IS 'Price / book (市净率); snapshot bars only.';
