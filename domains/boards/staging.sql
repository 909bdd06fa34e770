-- staging, boards: one grain per table, keys unique, units canonical, provenance on every row.

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

COMMENT ON TABLE staging.boards IS 'One row per Eastmoney BK code, from the board lists: type, latest name, first and last seen.';
COMMENT ON TABLE staging.board_membership IS 'Members as validity intervals [valid_from, valid_to), closed when a later capture of the board lacks the stock; ask a day with staging.board_members_as_of(day).';
COMMENT ON TABLE staging.board_snapshots IS 'When each board''s membership was captured, with its member count.';
COMMENT ON TABLE staging.board_bars_daily IS 'Daily bars of the tracked boards (live only).';
