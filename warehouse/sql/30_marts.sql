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
    published_return_pct DOUBLE,          -- the board's own K-line percent change (live board bars); null without
    published_gap_pct    DOUBLE,          -- cw_return_pct - published_return_pct
    PRIMARY KEY (trade_date, board_code)
);
COMMENT ON TABLE marts.board_daily IS 'One row per board per SSE trading day, rebuilt from member bars';

CREATE TABLE IF NOT EXISTS marts.theme_membership_daily (
    trade_date        DATE NOT NULL,
    theme             VARCHAR NOT NULL,   -- a basket theme of etl/config/themes.yaml
    symbol            VARCHAR NOT NULL,
    via               VARCHAR NOT NULL,   -- board:<name> | rule:<label> | symbol; several joined by '; '
    membership_as_of  DATE,               -- latest board snapshot used; null when only a rule or symbol
    PRIMARY KEY (trade_date, theme, symbol)
);
COMMENT ON TABLE marts.theme_membership_daily IS 'One row per theme, stock and SSE trading day: who is in each basket';

CREATE TABLE IF NOT EXISTS marts.theme_daily (
    trade_date          DATE NOT NULL,
    theme               VARCHAR NOT NULL,
    members             INTEGER NOT NULL,
    members_traded      INTEGER NOT NULL,
    ew_return_pct       DOUBLE,
    cw_return_pct       DOUBLE,
    advancers           INTEGER NOT NULL,
    decliners           INTEGER NOT NULL,
    amount_cny          DOUBLE,
    amount_share_pct    DOUBLE,             -- amount_cny / turnover of every traded A-share that day x 100
    main_net_inflow_cny DOUBLE,             -- sum over members with fund-flow data; null when none
    flow_members        INTEGER NOT NULL,   -- members with fund-flow data that day
    membership_as_of    DATE,
    PRIMARY KEY (trade_date, theme)
);
COMMENT ON TABLE marts.theme_daily IS 'One row per basket theme per SSE trading day';

CREATE TABLE IF NOT EXISTS marts.dividend_vs_ai_daily (
    trade_date          DATE NOT NULL PRIMARY KEY,
    dividend_return_pct DOUBLE,
    ai_return_pct       DOUBLE,
    spread_pct          DOUBLE,     -- ai - dividend, percentage points
    dividend_cum_pct    DOUBLE,     -- compounded from cumulative_from
    ai_cum_pct          DOUBLE,
    cum_spread_pct      DOUBLE,     -- ai_cum_pct - dividend_cum_pct
    relative_strength   DOUBLE,     -- 100 x (1 + ai_cum) / (1 + dividend_cum); 100 at the start
    weighting           VARCHAR NOT NULL,   -- equal | float_cap
    cumulative_from     DATE NOT NULL
);
COMMENT ON TABLE marts.dividend_vs_ai_daily IS 'One row per SSE trading day from cumulative_from: the two baskets side by side';

CREATE TABLE IF NOT EXISTS marts.event_window (
    event_id             VARCHAR NOT NULL,
    event_date           DATE NOT NULL,
    subject_type         VARCHAR NOT NULL,   -- theme | board | index | stock
    subject              VARCHAR NOT NULL,   -- theme name, board name, index code, stock symbol
    day_offset           INTEGER NOT NULL,   -- trading days from event_date
    trade_date           DATE NOT NULL,
    return_pct           DOUBLE,
    benchmark_return_pct DOUBLE,             -- CSI 300 (events.yaml benchmark_index)
    abnormal_return_pct  DOUBLE,
    car_pct              DOUBLE,             -- sum of abnormal returns from the window start to this day
    PRIMARY KEY (event_id, subject_type, subject, day_offset)
);
COMMENT ON TABLE marts.event_window IS 'One row per event, subject and trading day of the window (etl/config/events.yaml)';

CREATE TABLE IF NOT EXISTS marts.fund_flow_board_daily (
    snapshot_date              DATE NOT NULL,
    session_date               DATE NOT NULL,   -- the session the same-day window ends on
    board_code                 VARCHAR NOT NULL,
    board_name                 VARCHAR NOT NULL,
    sector_type                VARCHAR NOT NULL,   -- industry | concept | region
    theme                      VARCHAR,            -- themes whose boards include it, joined by ', '
    change_pct                 DOUBLE,
    main_net_inflow_cny        DOUBLE,
    super_large_net_inflow_cny DOUBLE,
    large_net_inflow_cny       DOUBLE,
    medium_net_inflow_cny      DOUBLE,
    small_net_inflow_cny       DOUBLE,
    main_net_inflow_ratio_pct  DOUBLE,             -- main net inflow / turnover x 100
    PRIMARY KEY (snapshot_date, board_code)
);
COMMENT ON TABLE marts.fund_flow_board_daily IS 'One row per board per snapshot day: the same-day fund-flow ranking';

CREATE TABLE IF NOT EXISTS marts.news_theme_daily (
    trade_date    DATE NOT NULL,
    theme         VARCHAR NOT NULL,
    items         INTEGER NOT NULL,
    share_pct     DOUBLE NOT NULL,    -- items / day_items x 100
    day_items     INTEGER NOT NULL,   -- every distinct item of the session
    top_stocks    VARCHAR,            -- most-named stocks: name (symbol) xcount, ...
    sample_titles VARCHAR,            -- up to three titles joined by ' | '
    PRIMARY KEY (trade_date, theme)
);
COMMENT ON TABLE marts.news_theme_daily IS 'One row per session and news theme with at least one item';

CREATE TABLE IF NOT EXISTS marts.cross_market_daily (
    us_trade_date               DATE NOT NULL,
    symbol                      VARCHAR NOT NULL,
    ticker                      VARCHAR NOT NULL,
    pct_change                  DOUBLE,
    next_cn_trade_date          DATE NOT NULL,
    ai_return_pct               DOUBLE,
    compute_hardware_return_pct DOUBLE,
    dividend_return_pct         DOUBLE,
    csi300_return_pct           DOUBLE,
    PRIMARY KEY (us_trade_date, symbol)
);
COMMENT ON TABLE marts.cross_market_daily IS 'One row per US symbol per US session, beside the next A-share session';
