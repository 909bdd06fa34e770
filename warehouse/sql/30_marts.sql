-- marts: the BI contract, its one source. Each table's and column's meaning is its COMMENT, beside its DDL;
-- docs/contract.md is generated from these (make contract-docs) and the published file carries them.

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
COMMENT ON TABLE marts.index_daily IS 'One row per index per trading day. Indices: 000001 上证指数, 399001 深证成指, 399006 创业板指, 000300 沪深300, 000016 上证50, 000905 中证500, 000922 中证红利, plus 000852, 000906, 000688, 000680, 399303, 399673.';
COMMENT ON COLUMN marts.index_daily.trade_date IS 'SSE trading day (Asia/Shanghai)';
COMMENT ON COLUMN marts.index_daily.index_code IS '6-digit index code';
COMMENT ON COLUMN marts.index_daily.index_name IS 'Chinese short name';
COMMENT ON COLUMN marts.index_daily.open IS 'opening level, index points';
COMMENT ON COLUMN marts.index_daily.high IS 'highest level, index points';
COMMENT ON COLUMN marts.index_daily.low IS 'lowest level, index points';
COMMENT ON COLUMN marts.index_daily.close IS 'closing level, index points';
COMMENT ON COLUMN marts.index_daily.prev_close IS 'close of the previous session; null on the first partition in the warehouse';
COMMENT ON COLUMN marts.index_daily.pct_change IS 'percent vs prev_close, 4 decimals: -0.65 means −0.65 %';
COMMENT ON COLUMN marts.index_daily.amount_cny IS 'turnover in CNY; null where the source has none (399001 and 000922 in the sample)';

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
COMMENT ON TABLE marts.market_breadth_daily IS 'One row per trading day over all A-shares with a bar that day (forward-adjusted series, which covers every stock).';
COMMENT ON COLUMN marts.market_breadth_daily.trade_date IS 'SSE trading day';
COMMENT ON COLUMN marts.market_breadth_daily.stocks_traded IS 'stocks with volume > 0';
COMMENT ON COLUMN marts.market_breadth_daily.advancers IS 'traded stocks with pct_change > 0 (a stock without pct_change counts in none of the three)';
COMMENT ON COLUMN marts.market_breadth_daily.decliners IS 'traded stocks with pct_change < 0';
COMMENT ON COLUMN marts.market_breadth_daily.unchanged IS 'traded stocks with pct_change = 0';
COMMENT ON COLUMN marts.market_breadth_daily.limit_up IS 'closes at the upper price limit: previous close × (1 + band), rounded to the 0.01 tick; band from `staging.stock_universe`';
COMMENT ON COLUMN marts.market_breadth_daily.limit_down IS 'closes at the lower price limit: previous close × (1 − band), rounded to the 0.01 tick';
COMMENT ON COLUMN marts.market_breadth_daily.total_amount_cny IS 'sum of known turnover, CNY';
COMMENT ON COLUMN marts.market_breadth_daily.total_amount_change_cny IS 'total_amount_cny minus the previous session''s; null when that session is not in the warehouse';
COMMENT ON COLUMN marts.market_breadth_daily.amount_coverage IS 'share (0–1) of traded stocks whose amount is known';
COMMENT ON COLUMN marts.market_breadth_daily.median_pct_change IS 'median percent change of traded stocks';

CREATE TABLE IF NOT EXISTS marts.stock_adjustment_factors (
    ex_date             DATE NOT NULL,
    symbol              VARCHAR NOT NULL,
    prev_close_cny      DOUBLE NOT NULL,    -- the stock's last unadjusted close before the ex-date
    reference_close_cny DOUBLE NOT NULL,    -- the exchange's ex-rights reference previous close
    adjustment_factor   DOUBLE NOT NULL,    -- reference_close_cny / prev_close_cny
    reference_from      VARCHAR NOT NULL,   -- where the reference came from
    PRIMARY KEY (ex_date, symbol)
);
COMMENT ON TABLE marts.stock_adjustment_factors IS 'One row per stock and ex-date (a dividend, bonus shares or a rights issue), derived from the unadjusted bars or the declared dividend plans: the exchange quotes an ex-date against a reference previous close, and its ratio to the actual previous close is the adjustment factor. Forward-adjusted close = close × the factors of the ex-dates after the day; back-adjusted close = close ÷ those up to and including it (docs/prices.md has the SQL).';
COMMENT ON COLUMN marts.stock_adjustment_factors.ex_date IS 'the ex-rights / ex-dividend session';
COMMENT ON COLUMN marts.stock_adjustment_factors.symbol IS 'six-digit A-share code';
COMMENT ON COLUMN marts.stock_adjustment_factors.prev_close_cny IS 'the stock''s last unadjusted close before the ex-date, CNY';
COMMENT ON COLUMN marts.stock_adjustment_factors.reference_close_cny IS 'the exchange''s reference previous close on the ex-date (previous close less the dividend, divided by the share ratio), CNY';
COMMENT ON COLUMN marts.stock_adjustment_factors.adjustment_factor IS 'reference_close_cny ÷ prev_close_cny: below 1 for a dividend or bonus shares (0.98 = a 2 % dividend)';
COMMENT ON COLUMN marts.stock_adjustment_factors.reference_from IS '`stock_zh_a_spot_em: 昨收` (the day''s snapshot), `stock_zh_a_hist: 收盘 − 涨跌额` (history: the change is measured against the reference), or `stock_fhps_em: 现金分红, 送转` (a declared plan whose ex-date the bar does not show: (previous close − cash per share) ÷ (1 + new shares per share))';

CREATE TABLE IF NOT EXISTS marts.stock_valuation_daily (
    trade_date               DATE NOT NULL,
    symbol                   VARCHAR NOT NULL,
    close                    DOUBLE,
    market_cap_cny           DOUBLE,
    float_cap_cny            DOUBLE,
    pe_dynamic               DOUBLE,
    pb                       DOUBLE,
    ttm_dividend_cny         DOUBLE NOT NULL,
    ttm_dividend_yield_ratio DOUBLE NOT NULL,
    dividend_yield_rank_pct  DOUBLE,
    high_dividend            BOOLEAN NOT NULL,
    PRIMARY KEY (trade_date, symbol)
);
COMMENT ON TABLE marts.stock_valuation_daily IS 'One row per stock with an unadjusted bar per trading day: market caps, PE and PB as the day''s whole-market snapshot gave them (null where none was taken: the recorded sample), the trailing 12-month cash dividend over the close, and its rank among that day''s payers, so that high-dividend stocks are defined by data beside the themes'' lists.';
COMMENT ON COLUMN marts.stock_valuation_daily.trade_date IS 'SSE trading day';
COMMENT ON COLUMN marts.stock_valuation_daily.symbol IS 'six-digit A-share code';
COMMENT ON COLUMN marts.stock_valuation_daily.close IS 'unadjusted close, CNY';
COMMENT ON COLUMN marts.stock_valuation_daily.market_cap_cny IS 'total market cap at the close, CNY (总市值); null without the day''s snapshot';
COMMENT ON COLUMN marts.stock_valuation_daily.float_cap_cny IS 'float market cap at the close, CNY (流通市值); null without the day''s snapshot';
COMMENT ON COLUMN marts.stock_valuation_daily.pe_dynamic IS 'price / earnings, dynamic (市盈率-动态: the latest quarter annualised); negative for a loss; null without the day''s snapshot';
COMMENT ON COLUMN marts.stock_valuation_daily.pb IS 'price / book (市净率); null without the day''s snapshot';
COMMENT ON COLUMN marts.stock_valuation_daily.ttm_dividend_cny IS 'cash dividends per share with ex-dates in the 365 days up to the day, CNY (declared plans, stock_fhps_em); 0 when none is held';
COMMENT ON COLUMN marts.stock_valuation_daily.ttm_dividend_yield_ratio IS 'ttm_dividend_cny / close, a fraction (0.05 = 5 %)';
COMMENT ON COLUMN marts.stock_valuation_daily.dividend_yield_rank_pct IS 'percentile of the trailing yield among the stocks with one that day (100 = the highest); null for a stock without';
COMMENT ON COLUMN marts.stock_valuation_daily.high_dividend IS 'in the top decile of that day''s trailing yields (dividend_yield_rank_pct >= 90)';

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
    members_weighted  INTEGER,            -- traded members with a float-cap weight in cw_return_pct
    cap_source        VARCHAR,            -- float_cap | amount_over_turnover | mixed: where the weights came from
    PRIMARY KEY (trade_date, board_code)
);
-- added 2026-12 (issue 22): a warehouse built before gets the column, last, as a new one has it
ALTER TABLE marts.board_daily ADD COLUMN IF NOT EXISTS members_weighted INTEGER;
ALTER TABLE marts.board_daily ADD COLUMN IF NOT EXISTS cap_source VARCHAR;  -- 2026-12-06 (issue 25), after it
COMMENT ON TABLE marts.board_daily IS 'One row per board (concept or industry, Eastmoney BK code) per trading day, rebuilt from member bars (the recorded sample has no board K-lines). Where live board K-lines exist (`staging.board_bars_daily`), both are kept and the gap shown.';
COMMENT ON COLUMN marts.board_daily.trade_date IS 'SSE trading day';
COMMENT ON COLUMN marts.board_daily.board_code IS 'Eastmoney BK code';
COMMENT ON COLUMN marts.board_daily.board_name IS 'the board''s latest name';
COMMENT ON COLUMN marts.board_daily.board_type IS '`concept` or `industry`';
COMMENT ON COLUMN marts.board_daily.members IS 'members as of `membership_as_of`';
COMMENT ON COLUMN marts.board_daily.members_traded IS 'members with a bar (volume > 0) that day';
COMMENT ON COLUMN marts.board_daily.ew_return_pct IS 'equal-weighted mean percent change of the traded members';
COMMENT ON COLUMN marts.board_daily.cw_return_pct IS 'float-cap-weighted mean: 流通市值 from the day''s snapshot, else amount ÷ turnover rate (`cap_source`); null when no member has a weight';
COMMENT ON COLUMN marts.board_daily.advancers IS 'traded members up that day';
COMMENT ON COLUMN marts.board_daily.decliners IS 'traded members down that day';
COMMENT ON COLUMN marts.board_daily.amount_cny IS 'members'' turnover, CNY';
COMMENT ON COLUMN marts.board_daily.rank_in_type IS '1 = best `ew_return_pct` that day among boards of the same type';
COMMENT ON COLUMN marts.board_daily.method IS '`rebuilt_from_members`';
COMMENT ON COLUMN marts.board_daily.membership_as_of IS 'the membership snapshot used; later than `trade_date` means look-ahead (2025-03-09 for concepts in the sample)';
COMMENT ON COLUMN marts.board_daily.published_return_pct IS 'the board''s own K-line percent change (live `stock_board_*_hist_em`); null without';
COMMENT ON COLUMN marts.board_daily.published_gap_pct IS 'cw_return_pct − published_return_pct, percentage points';
COMMENT ON COLUMN marts.board_daily.cap_source IS 'where the float caps weighting `cw_return_pct` came from: `float_cap` (流通市值 of the day''s snapshot, every weighted member), `amount_over_turnover` (amount ÷ turnover rate, the estimate where no snapshot was taken: the recorded sample), `mixed`; null when no member carries a weight';
COMMENT ON COLUMN marts.board_daily.members_weighted IS 'traded members that carry a float-cap weight in `cw_return_pct`; the others (turnover 0.00 % or missing: no cap estimate) count in `ew_return_pct` only; null in rows built before 2026-12';

CREATE TABLE IF NOT EXISTS marts.theme_membership_daily (
    trade_date        DATE NOT NULL,
    theme             VARCHAR NOT NULL,   -- a basket theme of etl/config/themes.yaml
    symbol            VARCHAR NOT NULL,
    via               VARCHAR NOT NULL,   -- board:<name> | rule:<label> | symbol; several joined by '; '
    membership_as_of  DATE,               -- latest board snapshot used; null when only a rule or symbol
    PRIMARY KEY (trade_date, theme, symbol)
);
COMMENT ON TABLE marts.theme_membership_daily IS 'One row per theme, stock and trading day: who was in each basket.';
COMMENT ON COLUMN marts.theme_membership_daily.trade_date IS 'SSE trading day';
COMMENT ON COLUMN marts.theme_membership_daily.theme IS 'basket theme name';
COMMENT ON COLUMN marts.theme_membership_daily.symbol IS '6-digit stock code';
COMMENT ON COLUMN marts.theme_membership_daily.via IS '`board:<name>`, `rule:<label>` or `symbol`; several joined by `; `';
COMMENT ON COLUMN marts.theme_membership_daily.membership_as_of IS 'latest board snapshot used; null when only a rule or symbol put it in';

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
    members_weighted    INTEGER,            -- traded members with a float-cap weight in cw_return_pct
    cap_source          VARCHAR,            -- float_cap | amount_over_turnover | mixed: where the weights came from
    PRIMARY KEY (trade_date, theme)
);
-- added 2026-12 (issue 22): a warehouse built before gets the column, last, as a new one has it
ALTER TABLE marts.theme_daily ADD COLUMN IF NOT EXISTS members_weighted INTEGER;
ALTER TABLE marts.theme_daily ADD COLUMN IF NOT EXISTS cap_source VARCHAR;  -- 2026-12-06 (issue 25), after it
COMMENT ON TABLE marts.theme_daily IS 'One row per basket theme per trading day.';
COMMENT ON COLUMN marts.theme_daily.trade_date IS 'SSE trading day';
COMMENT ON COLUMN marts.theme_daily.theme IS 'basket theme name';
COMMENT ON COLUMN marts.theme_daily.members IS 'stocks in the basket that day';
COMMENT ON COLUMN marts.theme_daily.members_traded IS 'members with a bar (volume > 0)';
COMMENT ON COLUMN marts.theme_daily.ew_return_pct IS 'equal-weighted mean percent change of the traded members';
COMMENT ON COLUMN marts.theme_daily.cw_return_pct IS 'float-cap-weighted mean: 流通市值 from the day''s snapshot, else amount ÷ turnover rate (`cap_source`)';
COMMENT ON COLUMN marts.theme_daily.advancers IS 'traded members up that day';
COMMENT ON COLUMN marts.theme_daily.decliners IS 'traded members down that day';
COMMENT ON COLUMN marts.theme_daily.amount_cny IS 'members'' turnover, CNY';
COMMENT ON COLUMN marts.theme_daily.amount_share_pct IS 'amount_cny ÷ turnover of every traded A-share that day × 100, rounded to 6 decimals';
COMMENT ON COLUMN marts.theme_daily.main_net_inflow_cny IS 'main-force net inflow summed over members with fund-flow data (per-stock history, else the same-day rank snapshot); null when none';
COMMENT ON COLUMN marts.theme_daily.flow_members IS 'members with fund-flow data that day (the sample''s rank snapshots cover the top 100–500 stocks of four March sessions)';
COMMENT ON COLUMN marts.theme_daily.membership_as_of IS 'latest board snapshot used by the theme''s boards';
COMMENT ON COLUMN marts.theme_daily.cap_source IS 'where the float caps weighting `cw_return_pct` came from: `float_cap` (流通市值 of the day''s snapshot, every weighted member), `amount_over_turnover` (amount ÷ turnover rate, the estimate where no snapshot was taken: the recorded sample), `mixed`; null when no member carries a weight';
COMMENT ON COLUMN marts.theme_daily.members_weighted IS 'traded members that carry a float-cap weight in `cw_return_pct`; the others (turnover 0.00 % or missing: no cap estimate) count in `ew_return_pct` only; null in rows built before 2026-12';

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
COMMENT ON TABLE marts.dividend_vs_ai_daily IS 'One row per trading day from `cumulative_from` (themes.yaml, 2025-01-02).';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.trade_date IS 'SSE trading day';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.dividend_return_pct IS 'the dividend basket''s equal-weighted return that day, %';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.ai_return_pct IS 'the AI basket''s equal-weighted return that day, %';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.spread_pct IS 'ai − dividend, percentage points';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.dividend_cum_pct IS 'the dividend basket compounded from the first session on or after `cumulative_from`, including it, %';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.ai_cum_pct IS 'the AI basket compounded from the first session on or after `cumulative_from`, including it, %';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.cum_spread_pct IS 'ai_cum_pct − dividend_cum_pct, percentage points';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.relative_strength IS '100 × (1 + ai_cum) ÷ (1 + dividend_cum); above 100 while AI leads';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.weighting IS '`equal`';
COMMENT ON COLUMN marts.dividend_vs_ai_daily.cumulative_from IS 'the configured start';

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
COMMENT ON TABLE marts.event_window IS 'One row per event, subject and trading day of the window (−5 … +10 sessions of the SSE calendar; `events.yaml`).';
COMMENT ON COLUMN marts.event_window.event_id IS '`us_ai_crash` (2025-01-27), `snake_year_open` (2025-02-05)';
COMMENT ON COLUMN marts.event_window.event_date IS 'the event session';
COMMENT ON COLUMN marts.event_window.subject_type IS '`theme`, `board`, `index` or `stock`';
COMMENT ON COLUMN marts.event_window.subject IS 'theme name, board name, index code or stock symbol';
COMMENT ON COLUMN marts.event_window.day_offset IS 'trading days from event_date (holidays skipped)';
COMMENT ON COLUMN marts.event_window.trade_date IS 'the session';
COMMENT ON COLUMN marts.event_window.return_pct IS 'theme/board: equal-weighted return; index: pct_change; stock: forward-adjusted pct_change; null without data';
COMMENT ON COLUMN marts.event_window.benchmark_return_pct IS 'CSI 300 (000300) pct_change';
COMMENT ON COLUMN marts.event_window.abnormal_return_pct IS 'return_pct − benchmark_return_pct';
COMMENT ON COLUMN marts.event_window.car_pct IS 'sum of abnormal returns from the window''s first day to this one; null on a day without data';

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
COMMENT ON TABLE marts.fund_flow_board_daily IS 'One row per board per snapshot day: the same-day (`今日`) sector fund-flow ranking, the day''s latest capture.';
COMMENT ON COLUMN marts.fund_flow_board_daily.snapshot_date IS 'day of the capture (Asia/Shanghai)';
COMMENT ON COLUMN marts.fund_flow_board_daily.session_date IS 'the session the ranking describes';
COMMENT ON COLUMN marts.fund_flow_board_daily.board_code IS 'Eastmoney BK code';
COMMENT ON COLUMN marts.fund_flow_board_daily.board_name IS 'board name';
COMMENT ON COLUMN marts.fund_flow_board_daily.sector_type IS '`industry`, `concept` or `region`';
COMMENT ON COLUMN marts.fund_flow_board_daily.theme IS 'themes whose boards include it, joined by `, `; null for other boards';
COMMENT ON COLUMN marts.fund_flow_board_daily.change_pct IS 'the board''s percent change';
COMMENT ON COLUMN marts.fund_flow_board_daily.main_net_inflow_cny IS 'main-force (super-large + large orders) net inflow, CNY';
COMMENT ON COLUMN marts.fund_flow_board_daily.super_large_net_inflow_cny IS 'super-large order net inflow, CNY';
COMMENT ON COLUMN marts.fund_flow_board_daily.large_net_inflow_cny IS 'large order net inflow, CNY';
COMMENT ON COLUMN marts.fund_flow_board_daily.medium_net_inflow_cny IS 'medium order net inflow, CNY';
COMMENT ON COLUMN marts.fund_flow_board_daily.small_net_inflow_cny IS 'small order net inflow, CNY';
COMMENT ON COLUMN marts.fund_flow_board_daily.main_net_inflow_ratio_pct IS 'main net inflow as % of the board''s turnover';

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
COMMENT ON TABLE marts.news_theme_daily IS 'One row per session and news theme with at least one item.';
COMMENT ON COLUMN marts.news_theme_daily.trade_date IS 'the session the items belong to (after the close: the next)';
COMMENT ON COLUMN marts.news_theme_daily.theme IS 'theme name (baskets and news-only themes)';
COMMENT ON COLUMN marts.news_theme_daily.items IS 'distinct items tagged with the theme';
COMMENT ON COLUMN marts.news_theme_daily.share_pct IS 'items ÷ day_items × 100, rounded to 6 decimals';
COMMENT ON COLUMN marts.news_theme_daily.day_items IS 'every distinct item of the session';
COMMENT ON COLUMN marts.news_theme_daily.top_stocks IS 'the five stocks its items name most: `name (symbol) ×count`';
COMMENT ON COLUMN marts.news_theme_daily.sample_titles IS 'up to three titles (most keyword hits first), joined by ` | `';

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
COMMENT ON TABLE marts.cross_market_daily IS 'One row per US symbol per US session, beside the A-share session that first trades after it.';
COMMENT ON COLUMN marts.cross_market_daily.us_trade_date IS 'US/Eastern session';
COMMENT ON COLUMN marts.cross_market_daily.symbol IS 'Eastmoney US code (105.NVDA)';
COMMENT ON COLUMN marts.cross_market_daily.ticker IS 'plain ticker (NVDA)';
COMMENT ON COLUMN marts.cross_market_daily.pct_change IS 'the US session''s percent change';
COMMENT ON COLUMN marts.cross_market_daily.next_cn_trade_date IS 'first SSE session after the US close';
COMMENT ON COLUMN marts.cross_market_daily.ai_return_pct IS 'the AI basket''s equal-weighted return on that A-share session, %; null until it is in the warehouse';
COMMENT ON COLUMN marts.cross_market_daily.compute_hardware_return_pct IS 'the compute-hardware basket''s equal-weighted return on that A-share session, %; null until it is in the warehouse';
COMMENT ON COLUMN marts.cross_market_daily.dividend_return_pct IS 'the dividend basket''s equal-weighted return on that A-share session, %; null until it is in the warehouse';
COMMENT ON COLUMN marts.cross_market_daily.csi300_return_pct IS 'CSI 300 on that session';

CREATE TABLE IF NOT EXISTS marts.index_valuation_daily (
    trade_date          DATE NOT NULL,
    index_code          VARCHAR NOT NULL,
    index_name          VARCHAR,
    pe_ttm              DOUBLE,
    pe_percentile       DOUBLE,
    percentile_from     DATE,
    percentile_sessions INTEGER,
    dividend_yield_pct  DOUBLE,
    cn_10y_yield_pct    DOUBLE,
    yield_date          DATE,
    yield_spread_pct    DOUBLE,
    PRIMARY KEY (trade_date, index_code)
);
COMMENT ON TABLE marts.index_valuation_daily IS 'One row per CSI index (etl/config/tracking.yaml csi_indices) per session: valuation through time. Rebuilt whole each run.';
COMMENT ON COLUMN marts.index_valuation_daily.trade_date IS 'SSE trading day';
COMMENT ON COLUMN marts.index_valuation_daily.index_code IS 'CSI index code (000300 沪深300, 000922 中证红利, 930713 人工智能, …)';
COMMENT ON COLUMN marts.index_valuation_daily.index_name IS 'CSI short name';
COMMENT ON COLUMN marts.index_valuation_daily.pe_ttm IS 'rolling (trailing twelve months) PE as CSI publishes it (滚动市盈率)';
COMMENT ON COLUMN marts.index_valuation_daily.pe_percentile IS 'share of the sessions from percentile_from to trade_date whose pe_ttm is at most this one (0..1): no later session is used';
COMMENT ON COLUMN marts.index_valuation_daily.percentile_from IS 'first session of the history the percentile is taken over (the warehouse''s first for the index)';
COMMENT ON COLUMN marts.index_valuation_daily.percentile_sessions IS 'sessions with a PE in that history';
COMMENT ON COLUMN marts.index_valuation_daily.dividend_yield_pct IS 'dividend yield, percent, total shares (CSI 股息率1); null where CSI published none that day (live capture only, recent sessions)';
COMMENT ON COLUMN marts.index_valuation_daily.cn_10y_yield_pct IS 'China 10-year government bond yield, percent, of yield_date (live only)';
COMMENT ON COLUMN marts.index_valuation_daily.yield_date IS 'the date of that yield: trade_date or the latest before it';
COMMENT ON COLUMN marts.index_valuation_daily.yield_spread_pct IS 'dividend_yield_pct − cn_10y_yield_pct, percentage points; null unless both exist';

CREATE TABLE IF NOT EXISTS marts.relative_performance (
    trade_date          DATE NOT NULL,
    pair                VARCHAR NOT NULL,
    window_label        VARCHAR NOT NULL,
    subject_a           VARCHAR NOT NULL,
    subject_b           VARCHAR NOT NULL,
    return_a_pct        DOUBLE,
    return_b_pct        DOUBLE,
    spread_pct          DOUBLE,
    window_start        DATE NOT NULL,
    first_day           DATE,
    base_day            DATE,
    sessions            INTEGER NOT NULL,
    sessions_in_window  INTEGER NOT NULL,
    coverage            DOUBLE NOT NULL,
    PRIMARY KEY (trade_date, pair, window_label)
);
COMMENT ON TABLE marts.relative_performance IS 'One row per pair (etl/config/horizon.yaml), trailing window and session on which both sides have a level. Rebuilt whole each run.';
COMMENT ON COLUMN marts.relative_performance.trade_date IS 'the session the window ends on';
COMMENT ON COLUMN marts.relative_performance.pair IS 'pair name, e.g. chinext_vs_csi300';
COMMENT ON COLUMN marts.relative_performance.window_label IS '1M, 3M, 1Y, 3Y (calendar months/years back) or YTD (from 1 January)';
COMMENT ON COLUMN marts.relative_performance.subject_a IS 'first side: index:<code> (marts.index_daily), csi:<code> (CSI history) or theme:<basket> (equal-weighted level)';
COMMENT ON COLUMN marts.relative_performance.subject_b IS 'second side, same notation';
COMMENT ON COLUMN marts.relative_performance.return_a_pct IS 'level on trade_date ÷ level on base_day − 1, percent';
COMMENT ON COLUMN marts.relative_performance.return_b_pct IS 'the same for the second side';
COMMENT ON COLUMN marts.relative_performance.spread_pct IS 'return_a_pct − return_b_pct, percentage points';
COMMENT ON COLUMN marts.relative_performance.window_start IS 'first calendar day of the window';
COMMENT ON COLUMN marts.relative_performance.first_day IS 'first session inside the window on which both sides have a level';
COMMENT ON COLUMN marts.relative_performance.base_day IS 'the session the returns are measured from: the last both hold before window_start, else first_day (the window then starts late: see coverage)';
COMMENT ON COLUMN marts.relative_performance.sessions IS 'sessions inside the window on which both sides have a level';
COMMENT ON COLUMN marts.relative_performance.sessions_in_window IS 'SSE sessions from window_start to trade_date';
COMMENT ON COLUMN marts.relative_performance.coverage IS 'sessions ÷ sessions_in_window: 1 is the whole window; a 3Y window over 1.5 years of history says about 0.5';

CREATE TABLE IF NOT EXISTS marts.drawdown_rebound (
    trade_date                  DATE NOT NULL,
    subject                     VARCHAR NOT NULL,
    subject_name                VARCHAR,
    level                       DOUBLE NOT NULL,
    ytd_low                     DOUBLE NOT NULL,
    ytd_low_date                DATE NOT NULL,
    rebound_from_ytd_low_pct    DOUBLE NOT NULL,
    running_peak                DOUBLE NOT NULL,
    drawdown_pct                DOUBLE NOT NULL,
    max_drawdown_pct            DOUBLE NOT NULL,
    history_from                DATE NOT NULL,
    PRIMARY KEY (trade_date, subject)
);
COMMENT ON TABLE marts.drawdown_rebound IS 'One row per index, CSI index or basket per session: lows, rebounds and drawdowns as known that day. Rebuilt whole each run.';
COMMENT ON COLUMN marts.drawdown_rebound.trade_date IS 'SSE trading day';
COMMENT ON COLUMN marts.drawdown_rebound.subject IS 'index:<code>, csi:<code> or theme:<basket>';
COMMENT ON COLUMN marts.drawdown_rebound.subject_name IS 'index short name or basket name';
COMMENT ON COLUMN marts.drawdown_rebound.level IS 'close (index points), or the basket''s equal-weighted level (100 before its first session)';
COMMENT ON COLUMN marts.drawdown_rebound.ytd_low IS 'lowest level from the year''s first session to trade_date';
COMMENT ON COLUMN marts.drawdown_rebound.ytd_low_date IS 'the session of that low';
COMMENT ON COLUMN marts.drawdown_rebound.rebound_from_ytd_low_pct IS 'level ÷ ytd_low − 1, percent';
COMMENT ON COLUMN marts.drawdown_rebound.running_peak IS 'highest level from history_from to trade_date';
COMMENT ON COLUMN marts.drawdown_rebound.drawdown_pct IS 'level ÷ running_peak − 1, percent (0 at a new high)';
COMMENT ON COLUMN marts.drawdown_rebound.max_drawdown_pct IS 'the deepest drawdown_pct from history_from to trade_date';
COMMENT ON COLUMN marts.drawdown_rebound.history_from IS 'first session the warehouse holds for the subject: peaks and drawdowns are within it';
