-- marts: the BI contract. Names and columns are documented in README.md and tested.

CREATE TABLE IF NOT EXISTS marts.index_daily (
    trade_date  DATE NOT NULL,
    index_code  VARCHAR NOT NULL,
    index_name  VARCHAR NOT NULL,
    open        DOUBLE,
    high        DOUBLE,
    low         DOUBLE,
    close       DOUBLE,
    prev_close  DOUBLE,
    pct_change  DOUBLE,
    amount_cny  DOUBLE,
    PRIMARY KEY (trade_date, index_code)
);
COMMENT ON TABLE marts.index_daily IS 'One row per index per SSE trading day';
COMMENT ON COLUMN marts.index_daily.prev_close IS 'Close of the previous session in the warehouse; null on the first';
COMMENT ON COLUMN marts.index_daily.pct_change IS 'Percent change vs prev_close: -0.65 means -0.65 %';
COMMENT ON COLUMN marts.index_daily.amount_cny IS 'Turnover in CNY; null where the source has none';

CREATE TABLE IF NOT EXISTS marts.market_breadth_daily (
    trade_date              DATE NOT NULL PRIMARY KEY,
    stocks_traded           INTEGER NOT NULL,
    advancers               INTEGER NOT NULL,
    decliners               INTEGER NOT NULL,
    unchanged               INTEGER NOT NULL,
    limit_up                INTEGER NOT NULL,
    limit_down              INTEGER NOT NULL,
    total_amount_cny        DOUBLE,
    total_amount_change_cny DOUBLE,
    amount_coverage         DOUBLE,
    median_pct_change       DOUBLE
);
COMMENT ON TABLE marts.market_breadth_daily IS 'One row per SSE trading day over all A-shares with a bar that day';
COMMENT ON COLUMN marts.market_breadth_daily.total_amount_change_cny IS 'total_amount_cny minus the previous session''s';
COMMENT ON COLUMN marts.market_breadth_daily.amount_coverage IS 'Share (0..1) of traded stocks whose amount is known';
COMMENT ON COLUMN marts.market_breadth_daily.median_pct_change IS 'Median percent change of traded stocks';

CREATE TABLE IF NOT EXISTS marts.board_daily (
    trade_date        DATE NOT NULL,
    board_code        VARCHAR NOT NULL,
    board_name        VARCHAR NOT NULL,
    board_type        VARCHAR NOT NULL,   -- concept | industry
    members           INTEGER NOT NULL,   -- members as of membership_as_of
    members_traded    INTEGER NOT NULL,   -- members with a bar that day
    ew_return_pct     DOUBLE,             -- equal-weighted mean percent change of traded members
    cw_return_pct     DOUBLE,             -- float-cap-weighted (cap ≈ amount ÷ turnover rate)
    advancers         INTEGER NOT NULL,
    decliners         INTEGER NOT NULL,
    amount_cny        DOUBLE,
    rank_in_type      INTEGER,            -- 1 = best ew_return_pct that day among boards of the same type
    method            VARCHAR NOT NULL,   -- rebuilt_from_members
    membership_as_of  DATE NOT NULL,      -- the snapshot the members come from; later than trade_date = look-ahead
    PRIMARY KEY (trade_date, board_code)
);
COMMENT ON TABLE marts.board_daily IS 'One row per board per SSE trading day, rebuilt from member bars';
