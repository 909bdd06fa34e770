-- Layers of the warehouse (see README "Data flow").
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS quality;
-- Audit before write (etl/gate/proposals.py): a run's raw rows wait in `candidate` until the staging gate has
-- judged them; refused ones are kept in `rejected` for inspection. Neither is published.
CREATE SCHEMA IF NOT EXISTS candidate;
CREATE SCHEMA IF NOT EXISTS rejected;
