"""raw tables mirror their datasets' input spec, plus the columns a run adds (request context, provenance).

Their DDL is generated from the dataset registry (domains/*/datasets.py) so that an input spec change cannot
drift from its table; staging and marts, the surfaces people query, have explicit DDL (domains/<d>/staging.sql,
warehouse/sql/30_marts.sql).

Each raw table has two mirrors with the same columns (audit before write, etl/gate/proposals.py): `candidate.<name>`
holds what a run landed until the staging gate has judged it (each row with the run whose proposal it is),
and `rejected.<name>` keeps what the gate refused, with the run and time, for inspection.
"""

from __future__ import annotations

import polars as pl

from etl.datasets import RawTable, raw_tables
from etl.input_specs import InputSpec

DUCKDB_TYPES = {pl.Date: "DATE", pl.String: "VARCHAR", pl.Float64: "DOUBLE", pl.Int64: "BIGINT", pl.Boolean: "BOOLEAN"}
RUN_COLUMN = "proposal_run_id"  # on every candidate row: the run whose proposal it belongs to (etl/gate/proposals.py)
PROVENANCE = {"source": "VARCHAR NOT NULL", "source_function": "VARCHAR NOT NULL", "fetched_at": "TIMESTAMPTZ"}


def table_ddl(table: RawTable, spec: InputSpec, schema: str = "raw") -> str:
    cols = [f'    "{c.name}" {DUCKDB_TYPES[c.dtype]}{"" if c.nullable else " NOT NULL"}' for c in spec.columns]
    cols += [f'    "{k}" {v}' for k, v in {**table.extra, **PROVENANCE}.items()]
    if schema == "rejected":
        cols += ['    "rejected_run_id" VARCHAR NOT NULL', '    "rejected_at" TIMESTAMPTZ NOT NULL']
    ddl = f"CREATE TABLE IF NOT EXISTS {schema}.{table.short} (\n" + ",\n".join(cols) + "\n);"
    if schema == "candidate":  # the run whose proposal a row belongs to; added 2026-12 (issue 22), last
        ddl = ddl[: -len("\n);")] + f',\n    "{RUN_COLUMN}" VARCHAR\n);'
        ddl += f'\nALTER TABLE {schema}.{table.short} ADD COLUMN IF NOT EXISTS "{RUN_COLUMN}" VARCHAR;'
    return ddl


def raw_ddl() -> str:
    return "\n\n".join(
        table_ddl(table, spec, schema) for table, spec in raw_tables() for schema in ("raw", "candidate", "rejected")
    )
