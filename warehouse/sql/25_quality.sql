-- Rows set aside by staging with the rule they broke. raw rows = staging rows + quarantined rows.
CREATE TABLE IF NOT EXISTS quality.quarantine (
    table_name    VARCHAR NOT NULL,     -- the staging table the row was meant for
    partition_key VARCHAR NOT NULL,     -- trade day, snapshot date, or '*' for whole-table rebuilds
    row_key       VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL,
    value         VARCHAR,
    run_id        VARCHAR,
    detected_at   TIMESTAMPTZ NOT NULL
);
