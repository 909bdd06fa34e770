-- staging, dividends: one grain per table, keys unique, units canonical, provenance on every row.

CREATE TABLE IF NOT EXISTS staging.dividends (
    symbol VARCHAR NOT NULL, report_period DATE NOT NULL, name VARCHAR,
    cash_dividend_per_share_cny DOUBLE, dividend_yield_ratio DOUBLE,
    bonus_per10 DOUBLE, transfer_per10 DOUBLE,
    plan_date DATE, record_date DATE, ex_date DATE, plan_status VARCHAR,
    source VARCHAR NOT NULL, source_function VARCHAR NOT NULL, fetched_at TIMESTAMPTZ,
    PRIMARY KEY (symbol, report_period)
);

COMMENT ON TABLE staging.dividends IS 'Dividend plans: cash dividend per share (CNY), ex/record dates, yield as a fraction; trailing_dividend_yield() in domains/dividends/transforms.py.';
