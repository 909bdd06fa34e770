"""A closure declared after its day was stored: the day is no session anywhere, so what was stored for it is
taken back, in one transaction and counted, never dropped.

An operator declares a closure (etl/config/closures.yaml) when a source served a day the exchange did not open
(a cached page, a feed that repeated the day before). Until then the day's rows were staged and published.
Afterwards no run asks for the day again, so without this its bars, and the marts built on them, would stay
for ever. The range gate of each table retracts the declared days of its run's months that it still holds:
raw rows to rejected.<table> (as a refused partition's are), staged rows, quarantine and ledger rows deleted,
the per-session marts' rows of the day deleted, and a row in quality.rejected_partitions
(rule `declared_closure`, with the reason and the counts).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import polars as pl

from etl.gate.proposals import mirror
from etl.gate.quarantine import REFUSAL_SCHEMA
from etl.warehouse import Replace, Sql, Warehouse

RULE = "declared_closure"


def held_closures(wh: Warehouse, staging_table: str, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """The declared closures between `first` and `last` that `staging_table` still holds rows for: day -> rows."""
    from etl.market import declared_closures

    wanted = [day for day in declared_closures() if first <= day <= last]
    if not wanted:
        return {}
    found = wh.query(
        f"SELECT trade_date, count(*) AS n FROM {staging_table} WHERE trade_date IN (SELECT UNNEST($d)) GROUP BY 1",
        {"d": wanted},
    )
    return dict(found.iter_rows())


def retract(
    wh: Warehouse,
    staging_table: str,
    raw_tables: Sequence[str],
    held: dict[dt.date, int],
    run_id: str,
    marts: Sequence[tuple[str, str]] = (),
) -> None:
    """Take back what `staging_table` and its `raw_tables` hold for the declared days `held`, and the rows of
    `marts` ((table, date column) built per session from it), in one transaction."""
    from etl.market import declared_closures

    days = sorted(held)
    if not days:
        return
    at = {"d": days, "run": run_id}
    steps: list = []
    for raw in raw_tables:
        steps += [
            Sql(
                f"INSERT INTO {mirror(raw, 'rejected')} BY NAME SELECT *, $run AS rejected_run_id, "
                f"now() AS rejected_at FROM {raw} WHERE partition_date IN (SELECT UNNEST($d))",
                at,
            ),
            Sql(f"DELETE FROM {raw} WHERE partition_date IN (SELECT UNNEST($d))", {"d": days}),
        ]
    keys = [d.isoformat() for d in days]
    steps += [
        Sql(f"DELETE FROM {staging_table} WHERE trade_date IN (SELECT UNNEST($d))", {"d": days}),
        Sql(
            "DELETE FROM quality.quarantine WHERE table_name = $t AND partition_key IN (SELECT UNNEST($k))",
            {"t": staging_table, "k": keys},
        ),
        Sql(
            "DELETE FROM quality.settled_partitions WHERE raw_table IN (SELECT UNNEST($r)) "
            "AND partition_key IN (SELECT UNNEST($k))",
            {"r": list(raw_tables), "k": keys},
        ),
        *(Sql(f"DELETE FROM {table} WHERE {column} IN (SELECT UNNEST($d))", {"d": days}) for table, column in marts),
    ]
    reasons = declared_closures()
    refusals = pl.DataFrame(
        [
            {
                "table_name": staging_table,
                "partition_key": day.isoformat(),
                "rules": [RULE],
                "figures": json.dumps(
                    {"reason": reasons.get(day, ""), "staging_rows": held[day], "retracted_from": list(marts)},
                    ensure_ascii=False,
                ),
                "raw_tables": list(raw_tables),
                "landing_files": [],
                "run_id": run_id,
                "rejected_at": dt.datetime.now(dt.UTC),
            }
            for day in days
        ],
        schema=REFUSAL_SCHEMA,
    )
    steps.append(Replace("quality.rejected_partitions", refusals, "false"))
    wh.write(*steps)
