-- raw: landing-zone frames with the function's contract applied (English names, types, canonical units).
-- Nothing is dropped here: raw rows = staging rows + quarantined rows.

CREATE TABLE IF NOT EXISTS raw.stock_universe (
    symbol          VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    snapshot_date   DATE NOT NULL,
    source          VARCHAR NOT NULL,
    source_function VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS raw.stock_bars_daily (
    trade_date      DATE NOT NULL,
    symbol          VARCHAR NOT NULL,
    adjust          VARCHAR NOT NULL,   -- 'qfq' (forward-adjusted) or 'none'
    open            DOUBLE,
    close           DOUBLE,
    high            DOUBLE,
    low             DOUBLE,
    volume_shares   BIGINT,
    amount_cny      DOUBLE,
    amplitude_pct   DOUBLE,
    pct_change      DOUBLE,
    change          DOUBLE,
    turnover_pct    DOUBLE,
    source          VARCHAR NOT NULL,
    source_function VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS raw.index_bars_daily (
    trade_date      DATE NOT NULL,
    index_symbol    VARCHAR NOT NULL,   -- akshare's request symbol, e.g. sh000001, csi000922
    open            DOUBLE,
    close           DOUBLE,
    high            DOUBLE,
    low             DOUBLE,
    volume_shares   BIGINT,
    amount_cny      DOUBLE,
    source          VARCHAR NOT NULL,
    source_function VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ
);
