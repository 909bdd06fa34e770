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

-- Partitions the staging gate refused (a partition rule failed, or rows went unaccounted for). The stored
-- partition in raw, staging and quality.quarantine stayed as it was; the refused rows are in
-- rejected.<raw table> under the same run_id, and a refused live landing file under <landing>/_rejected/.
CREATE TABLE IF NOT EXISTS quality.rejected_partitions (
    table_name    VARCHAR NOT NULL,     -- the staging table whose gate refused it
    partition_key VARCHAR NOT NULL,     -- trade day, or '*' for a whole-table candidate
    rules         VARCHAR[] NOT NULL,   -- the partition rules that failed
    figures       JSON,                 -- what the rules saw: rows, reference_rows, rows_ratio, ...
    raw_tables    VARCHAR[],            -- the raw candidates refused with it (see rejected.<name>)
    landing_files VARCHAR[],            -- live landing files moved aside
    run_id        VARCHAR NOT NULL,
    rejected_at   TIMESTAMPTZ NOT NULL
);

-- One pending proposal per raw table and run: the run's rows in candidate.<name> (proposal_run_id = run_id)
-- replace raw.<name> within `scope` (values of scope_column; NULL: the whole table) once its staging gate
-- passes them. No key: a lake enforces none, and (raw_table, run_id) is kept unique by etl/gate/proposals.py's
-- delete-and-insert in one transaction (a warehouse keyed on raw_table alone is migrated by Warehouse).
CREATE TABLE IF NOT EXISTS candidate.proposals (
    raw_table     VARCHAR NOT NULL,
    scope_column  VARCHAR,
    scope         VARCHAR[],
    captures      JSON,                 -- [{partition, root, path, source}] landing files behind the rows
    run_id        VARCHAR,
    proposed_at   TIMESTAMPTZ NOT NULL
);

-- What each gate accepted per session of a range table: the landing captures behind it, the code that judged
-- it and the rows it staged (etl/gate/unchanged.py). A run landing the same captures under the same code does
-- not propose the session again. No key (a lake enforces none): one row per (raw_table, partition_key), kept
-- so by a delete-and-insert in the gate's transaction.
CREATE TABLE IF NOT EXISTS quality.settled_partitions (
    raw_table     VARCHAR NOT NULL,
    partition_key VARCHAR NOT NULL,     -- the session, ISO
    captures      VARCHAR NOT NULL,     -- function:sha256 of each landing file, sorted, ';'-separated
    code_version  VARCHAR NOT NULL,     -- digest of the code and uv.lock that judged it
    inputs        VARCHAR,              -- digest of the other tables the candidate was built from
    staging_table VARCHAR NOT NULL,
    staging_rows  BIGINT NOT NULL,
    run_id        VARCHAR NOT NULL,
    settled_at    TIMESTAMPTZ NOT NULL
);

ALTER TABLE quality.settled_partitions ADD COLUMN IF NOT EXISTS inputs VARCHAR;  -- 2026-12-06, after the table
-- 2026-12-08 (issue 32): the session's staged and raw rows as content (count and row hashes), not a count;
-- a ledger row from before has none, so its session is judged once more and stamped
ALTER TABLE quality.settled_partitions ADD COLUMN IF NOT EXISTS staging_digest VARCHAR;
ALTER TABLE quality.settled_partitions ADD COLUMN IF NOT EXISTS raw_digest VARCHAR;

-- What the gates saw of the days past the published calendar (provisional sessions, etl/market.py day_state):
-- a session where they staged rows, a closure where the source returned nothing for the day.
CREATE TABLE IF NOT EXISTS quality.calendar_days (
    trade_date  DATE NOT NULL,
    table_name  VARCHAR NOT NULL,       -- the staging table whose gate saw it
    state       VARCHAR NOT NULL,       -- session | closed
    evidence    VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL
);

-- Sessions a run's raw step did not propose because their captures had not changed (etl/gate/unchanged.py).
CREATE TABLE IF NOT EXISTS candidate.unchanged (
    raw_table     VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    partition_key VARCHAR NOT NULL
);

COMMENT ON TABLE quality.quarantine IS 'Rows a rule set aside, with the rule and the offending value: never dropped.';
COMMENT ON TABLE quality.rejected_partitions IS 'Partitions the gate refused: rules, figures, the raw tables and landing files kept aside.';
COMMENT ON TABLE quality.settled_partitions IS 'Per range raw table and session: the captures, code, inputs and staged rows its gate accepted; the same again is not judged again.';
COMMENT ON TABLE quality.calendar_days IS 'Days past the published SSE calendar as the data showed them: a session (rows staged) or closed (no row), per gate; provisional until a calendar confirms them.';
COMMENT ON TABLE candidate.unchanged IS 'Sessions a run did not propose because their captures were those already settled.';
