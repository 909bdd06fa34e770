-- staging, news: one grain per table, keys unique, units canonical, provenance on every row.

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

COMMENT ON TABLE staging.news_items IS 'News from both sources: normalised text, published_at (UTC), the session it can move (trade_date), duplicates merged.';
COMMENT ON TABLE staging.news_item_themes IS 'Keyword hits per item and theme.';
COMMENT ON TABLE staging.news_item_stocks IS 'Stocks an item names (name or code).';
COMMENT ON TABLE staging.news_captures IS 'News captures already staged: only new ones are read.';
