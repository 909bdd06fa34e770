-- staging: one grain per table, keys unique, units canonical, provenance on every row.

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
    PRIMARY KEY (trade_date, symbol, adjust)
);

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

CREATE TABLE IF NOT EXISTS staging.stock_name_history (
    symbol      VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    is_st       BOOLEAN NOT NULL,
    valid_from  DATE NOT NULL,          -- first universe snapshot showing this name
    valid_to    DATE,                   -- first later snapshot without it (exclusive); null while current
    PRIMARY KEY (symbol, valid_from)
);

CREATE TABLE IF NOT EXISTS staging.boards (
    board_code      VARCHAR NOT NULL PRIMARY KEY,   -- Eastmoney BK code
    board_type      VARCHAR NOT NULL,               -- concept | industry
    board_name      VARCHAR NOT NULL,               -- name in the latest board list
    first_seen_date DATE NOT NULL,
    last_seen_date  DATE NOT NULL,
    source          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS staging.board_membership (
    board_code  VARCHAR NOT NULL,
    symbol      VARCHAR NOT NULL,
    board_type  VARCHAR NOT NULL,
    valid_from  DATE NOT NULL,          -- first snapshot of the board listing the stock
    valid_to    DATE,                   -- first later snapshot of the board without it (exclusive)
    PRIMARY KEY (board_code, symbol, valid_from)
);

CREATE TABLE IF NOT EXISTS staging.board_snapshots (
    board_code    VARCHAR NOT NULL,
    capture_date  DATE NOT NULL,        -- a day the board's membership was captured
    members       INTEGER NOT NULL,
    PRIMARY KEY (board_code, capture_date)
);

CREATE TABLE IF NOT EXISTS staging.board_bars_daily (
    trade_date      DATE NOT NULL,
    board_code      VARCHAR NOT NULL,
    board_type      VARCHAR NOT NULL,
    open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE,
    pct_change      DOUBLE,
    volume_shares   BIGINT,
    amount_cny      DOUBLE,
    turnover_pct    DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (trade_date, board_code)
);

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

CREATE TABLE IF NOT EXISTS staging.bond_yields_daily (
    trade_date DATE NOT NULL PRIMARY KEY,  -- a date on which China or the US published (the other: nulls)
    cn_2y_yield_pct DOUBLE, cn_5y_yield_pct DOUBLE, cn_10y_yield_pct DOUBLE, cn_30y_yield_pct DOUBLE,
    cn_10y_2y_spread_pct DOUBLE, cn_gdp_yoy_pct DOUBLE,
    us_2y_yield_pct DOUBLE, us_5y_yield_pct DOUBLE, us_10y_yield_pct DOUBLE, us_30y_yield_pct DOUBLE,
    us_10y_2y_spread_pct DOUBLE, us_gdp_yoy_pct DOUBLE,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ
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

CREATE TABLE IF NOT EXISTS staging.dividends (
    symbol VARCHAR NOT NULL, report_period DATE NOT NULL, name VARCHAR,
    cash_dividend_per_share_cny DOUBLE, dividend_yield_ratio DOUBLE,
    bonus_per10 DOUBLE, transfer_per10 DOUBLE,
    plan_date DATE, record_date DATE, ex_date DATE, plan_status VARCHAR,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (symbol, report_period)
);

CREATE TABLE IF NOT EXISTS staging.news_items (
    item_id         VARCHAR NOT NULL PRIMARY KEY,   -- sha1 of the normalised title + text
    origin          VARCHAR NOT NULL,   -- news_cctv | stock_info_global_em
    published_at    TIMESTAMPTZ NOT NULL,
    trade_date      DATE NOT NULL,      -- the session it belongs to (after the 15:00 close: the next)
    title           VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,
    url             VARCHAR,
    outlets         VARCHAR,
    duplicates      INTEGER NOT NULL,   -- other raw items with the same normalised content
    source VARCHAR NOT NULL, fetched_at TIMESTAMPTZ
);

-- Captures already staged (a feed poll, a CCTV broadcast date): news staging reads only the others, so a
-- run costs what is new, and a bad item once quarantined is not met again. `keywords` fingerprints the
-- theme keywords the items were tagged with: when they change, every item is tagged again.
CREATE TABLE IF NOT EXISTS staging.news_captures (
    origin    VARCHAR NOT NULL,
    capture   VARCHAR NOT NULL,         -- poll key (feed) or broadcast date (CCTV)
    items     INTEGER NOT NULL,         -- raw items in it
    keywords  VARCHAR NOT NULL,
    run_id    VARCHAR,
    staged_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (origin, capture)
);

CREATE TABLE IF NOT EXISTS staging.news_item_themes (
    item_id VARCHAR NOT NULL, theme VARCHAR NOT NULL, hits INTEGER NOT NULL, keywords VARCHAR NOT NULL,
    PRIMARY KEY (item_id, theme)
);

CREATE TABLE IF NOT EXISTS staging.news_item_stocks (
    item_id VARCHAR NOT NULL, symbol VARCHAR NOT NULL, matched VARCHAR NOT NULL,   -- the name or code seen
    PRIMARY KEY (item_id, symbol)
);

-- Members of a board as of a day, for BI tools: before a board's first snapshot the earliest snapshot is
-- used and membership_as_of is later than the day asked for (look-ahead, shown).
CREATE OR REPLACE MACRO staging.board_members_as_of(day) AS TABLE
    WITH basis AS (
        SELECT board_code,
               coalesce(max(capture_date) FILTER (WHERE capture_date <= day), min(capture_date)) AS membership_as_of
        FROM staging.board_snapshots GROUP BY board_code
    )
    SELECT m.board_code, m.board_type, m.symbol, b.membership_as_of
    FROM staging.board_membership m JOIN basis b USING (board_code)
    WHERE m.valid_from <= b.membership_as_of AND (m.valid_to IS NULL OR m.valid_to > b.membership_as_of);
