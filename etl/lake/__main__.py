"""Lake administration, on the lake ASHARE_WAREHOUSE names (ducklake:postgres:…; data under ASHARE_LAKE_DATA).

python -m etl.lake init              # once, before any run: the catalog, every schema and table
python -m etl.lake attach            # the read-only ATTACH of the latest published snapshot
python -m etl.lake expire --days 7   # expire unpublished snapshots older than 7 days, delete their files
python -m etl.lake export [--to F]   # the latest published snapshot as a DuckDB file (<lake home>/bi/marts.duckdb)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from etl.settings import Settings
from etl.warehouse import is_lake, open_warehouse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m etl.lake", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the catalog and every table (idempotent)")
    sub.add_parser("attach", help="print the SQL that attaches the latest published snapshot read-only")
    expire = sub.add_parser("expire", help="expire unpublished snapshots")
    expire.add_argument("--days", type=float, default=7.0)
    export = sub.add_parser("export", help="write the latest published snapshot to a DuckDB file, for BI tools")
    export.add_argument("--to", type=Path, default=None, help="the file (default: <lake home>/bi/marts.duckdb)")
    args = parser.parse_args(argv)

    location = Settings.from_env().warehouse
    if not is_lake(location):
        sys.exit(f"ASHARE_WAREHOUSE={location!r} is not a lake (expected ducklake:postgres:…); see docs/scale-out.md")
    wh = open_warehouse(location)
    if args.command == "init":
        tables = wh.init()
        print(f"{location}: {tables} tables, data under {wh.config.data_path}, snapshot {wh.snapshot_id()}")
    elif args.command == "attach":
        from etl.warehouse.lake_publish import attach_script, published_version

        print(attach_script(wh.config, published_version(wh)), end="")
    elif args.command == "export":
        from etl.warehouse.lake_publish import export_latest

        print(export_latest(wh, args.to))
    else:
        from etl.warehouse.lake_publish import expire_unpublished

        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=args.days)
        gone = expire_unpublished(wh, cutoff)
        print(f"expired {len(gone)} snapshots older than {cutoff:%Y-%m-%d %H:%M} UTC; published ones kept")


if __name__ == "__main__":
    main()
