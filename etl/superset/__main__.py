"""python -m etl.superset up [--marts FILE] | down | datasets

up        import the bundle (over the published marts) and start Superset in the background
down      stop it
datasets  rewrite warehouse/superset/dashboard/datasets/ from the contract (warehouse/sql/30_marts.sql)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from etl.settings import Settings


def published_marts() -> Path:
    """The published marts of the warehouse ASHARE_WAREHOUSE names, as a file (assets/publish.py writes it;
    on a lake, the latest published snapshot exported to one)."""
    from etl.warehouse import is_lake, open_warehouse

    location = Settings.from_env().warehouse
    if not is_lake(location):
        return Path(location).resolve().parent / "bi" / "marts.duckdb"
    # a lake publishes a snapshot; Superset's DuckDB dialect opens files: export the latest publish first
    from etl.warehouse.lake_publish import export_latest

    wh = open_warehouse(location)
    print(f"exported the lake's published {export_latest(wh)}")
    return wh.local_dir / "bi" / "marts.duckdb"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m etl.superset", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="import the dashboard and start Superset")
    up.add_argument("--marts", type=Path, default=None, help="a published marts file (default: the demo's)")
    sub.add_parser("down", help="stop Superset")
    sub.add_parser("datasets", help="regenerate the dataset files from the contract")
    args = parser.parse_args(argv)

    from etl.superset import bundle, service

    if args.command == "up":
        service.up(args.marts or published_marts())
    elif args.command == "down":
        print("Superset stopped" if service.down() else "Superset was not running")
    else:
        for path in bundle.write_datasets():
            print(f"wrote {path.relative_to(bundle.SUPERSET_DIR.parent.parent)}")


if __name__ == "__main__":
    main()
