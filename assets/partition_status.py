"""Dagster's partition status rebuilt from the warehouse, for a warehouse built before the monthly grain (or
with another Dagster instance): each range asset's months that its table holds sessions of are recorded as
materialised, without re-running them.

    python -m assets.partition_status [--dry-run]     (DAGSTER_HOME and ASHARE_WAREHOUSE as for a run)

A month already materialised in the instance is left as it is, so the command can be run again. Each recorded
event says it was rebuilt from the warehouse and which sessions the table holds in that month; the data are
not touched (a warehouse built per session holds the same rows a monthly run builds: issue 24's hashes)."""

from __future__ import annotations

import argparse
import sys

import dagster as dg

REBUILT_FROM = "the warehouse (python -m assets.partition_status)"


def held_months(wh, table: str) -> dict[str, tuple[int, str, str]]:
    """month -> (sessions, first, last) of the sessions `table` holds (its trade_date, else the partition date
    a raw table lands by, else the ex_date of an event table)."""
    columns = wh.query(f"SELECT * FROM {table} LIMIT 0").columns
    day = next(c for c in ("trade_date", "partition_date", "ex_date") if c in columns)
    rows = wh.query(
        f"SELECT strftime({day}, '%Y-%m') AS month, count(DISTINCT {day}) AS sessions, "
        f"min({day})::VARCHAR AS first, max({day})::VARCHAR AS last FROM {table} GROUP BY 1 ORDER BY 1"
    )
    return {m: (n, f, last) for m, n, f, last in rows.iter_rows()}


def rebuild(instance: dg.DagsterInstance, wh, defs=None, dry_run: bool = False) -> dict[str, list[str]]:
    """Record the held months not yet materialised, per range asset; returns asset -> months recorded."""
    if defs is None:
        from assets.definitions import defs
    graph = defs.resolve_asset_graph()
    done: dict[str, list[str]] = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if node.partitions_def is None or not node.is_executable:
            continue
        known = set(instance.get_materialized_partitions(key))
        months = {m: v for m, v in held_months(wh, ".".join(key.path)).items() if m not in known}
        for month, (sessions, first, last) in months.items():
            if not node.partitions_def.has_partition_key(month):
                continue  # before the history start or beyond the calendar: not a partition of this code
            if not dry_run:
                instance.report_runless_asset_event(
                    dg.AssetMaterialization(
                        key,
                        partition=month,
                        metadata={"sessions": sessions, "first": first, "last": last, "rebuilt_from": REBUILT_FROM},
                    )
                )
            done.setdefault(key.to_user_string(), []).append(month)
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assets.partition_status", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="say what would be recorded, record nothing")
    args = parser.parse_args(argv)
    from etl.settings import Settings
    from etl.warehouse import open_warehouse

    done = rebuild(dg.DagsterInstance.get(), open_warehouse(Settings.from_env().warehouse), dry_run=args.dry_run)
    verb = "would record" if args.dry_run else "recorded"
    for asset, months in done.items():
        print(f"{asset}: {verb} {len(months)} months ({months[0]} .. {months[-1]})")
    if not done:
        print("every month the warehouse holds is already materialised in this instance", file=sys.stderr)


if __name__ == "__main__":
    main()
