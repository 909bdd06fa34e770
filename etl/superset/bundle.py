"""The Superset bundle in warehouse/superset/dashboard/: datasets generated from the contract, zipped for import.

One dataset per mart, its columns, types and descriptions read from warehouse/sql/30_marts.sql, so a user
building a chart sees the contract's meaning of every column. Generated, not hand-written, so a mart that
gains or renames a column cannot leave Superset describing the old one: `python -m etl.superset datasets`
rewrites them and a test fails when they are stale. Charts and the dashboard are hand-written YAML; the test
checks every column they name exists in their dataset.

The database's file path differs per checkout, so the bundle holds a placeholder that `zip_bundle` fills in.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from etl.contract import Table, declared, declared_db
from etl.settings import WAREHOUSE_DIR

SUPERSET_DIR = WAREHOUSE_DIR / "superset"
BUNDLE_DIR = SUPERSET_DIR / "dashboard"
DATABASE_NAME = "ashare_marts"
DATABASE_UUID = "5d0a3c52-7f3e-4c1b-9a8e-2b6f1d4e9c01"
MARTS_PLACEHOLDER = "__ASHARE_MARTS_FILE__"
_NAMESPACE = uuid.UUID(DATABASE_UUID)


@dataclass(frozen=True)
class Virtual:
    """A dataset that is SQL over one mart: its columns keep that mart's meanings, new ones say their own."""

    description: str
    sql: str
    mart: str
    new_columns: dict[str, str]


# The board leaderboard needs the session as text (a dashboard select filter on a DATE column offers epoch
# numbers) and which end of the ranking a row is.
VIRTUAL = {
    "board_leaderboard": Virtual(
        "marts.board_daily with the session as text (for the dashboard's Session filter) and which end of the "
        "ranking a board is.",
        """SELECT strftime(trade_date, '%Y-%m-%d') AS session, trade_date, board_type, board_code, board_name,
       rank_in_type, ew_return_pct, cw_return_pct, members_traded, advancers, decliners, amount_cny,
       CASE WHEN rank_in_type <= 10 THEN 'best 10'
            WHEN rank_in_type > max(rank_in_type) OVER (PARTITION BY trade_date, board_type) - 10
            THEN 'worst 10' END AS side
FROM board_daily""",
        "marts.board_daily",
        {
            "session": "The session (trade_date) as YYYY-MM-DD text.",
            "side": "'best 10' or 'worst 10' of its board type that session, else null.",
        },
    ),
}


def dataset_uuid(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"dataset:{name}"))


def dataset_path(name: str) -> Path:
    return BUNDLE_DIR / "datasets" / DATABASE_NAME / f"{name}.yaml"


def _column(name: str, type_: str, meaning: str | None) -> dict:
    temporal = type_ in ("DATE", "TIMESTAMP") or type_.startswith("TIMESTAMP")
    return {
        "column_name": name,
        "verbose_name": None,
        "is_dttm": temporal,
        "is_active": True,
        "type": type_,
        "groupby": True,
        "filterable": True,
        "expression": None,
        "description": meaning or None,
        "python_date_format": None,
        "extra": None,
    }


def _dataset(name: str, description: str, columns: list[dict], sql: str | None) -> dict:
    dttm = next((c["column_name"] for c in columns if c["is_dttm"]), None)
    return {
        "table_name": name,
        "main_dttm_col": dttm,
        "description": description,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": "main",
        "sql": sql,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "uuid": dataset_uuid(name),
        "metrics": [
            {
                "metric_name": "count",
                "verbose_name": "rows",
                "metric_type": "count",
                "expression": "COUNT(*)",
                "description": None,
                "d3format": None,
                "extra": None,
                "warning_text": None,
            }
        ],
        "columns": columns,
        "version": "1.0.0",
        "database_uuid": DATABASE_UUID,
    }


def _mart(table: Table) -> dict:
    name = table.name.removeprefix("marts.")
    columns = [_column(c.name, c.type, c.meaning) for c in table.columns]
    return _dataset(name, table.description, columns, None)


def _virtual(name: str, contract: dict[str, Table]) -> dict:
    virtual = VIRTUAL[name]
    meanings = {c.name: c.meaning for c in contract[virtual.mart].columns} | virtual.new_columns
    con = declared_db()
    try:
        con.execute("USE marts")
        described = con.execute(f"DESCRIBE {virtual.sql}").fetchall()
    finally:
        con.close()
    columns = [_column(col, type_, meanings.get(col)) for col, type_, *_ in described]
    return _dataset(name, virtual.description, columns, virtual.sql)


def datasets() -> dict[Path, str]:
    """Every dataset file as it should read: one per mart, then the virtual ones."""
    contract = declared()
    configs = [_mart(t) for t in contract.values()] + [_virtual(n, contract) for n in VIRTUAL]
    return {dataset_path(c["table_name"]): render(c) for c in configs}


class _Dumper(yaml.SafeDumper):
    """SQL as a literal block, readable in review."""


_Dumper.add_representer(
    str,
    lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None),
)


def render(config: dict) -> str:
    header = "# generated by `python -m etl.superset datasets` from warehouse/sql/30_marts.sql: do not edit\n"
    return header + yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def write_datasets() -> list[Path]:
    wanted = datasets()
    folder = BUNDLE_DIR / "datasets" / DATABASE_NAME
    folder.mkdir(parents=True, exist_ok=True)
    for stale in set(folder.glob("*.yaml")) - set(wanted):
        stale.unlink()
    for path, text in wanted.items():
        path.write_text(text, encoding="utf-8")
    return sorted(wanted)


def zip_bundle(marts_file: Path) -> bytes:
    """The bundle as the ZIP Superset imports, its database pointing at `marts_file` (read-only)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(BUNDLE_DIR.rglob("*.yaml")):
            text = path.read_text(encoding="utf-8").replace(MARTS_PLACEHOLDER, str(marts_file.resolve()))
            zf.writestr(f"ashare_bundle/{path.relative_to(BUNDLE_DIR).as_posix()}", text)
    return buffer.getvalue()


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


DASHBOARD = BUNDLE_DIR / "dashboards" / "dividend_vs_ai.yaml"


def dashboard_path() -> str:
    """The dashboard's address on the server, from its slug."""
    return f"/superset/dashboard/{load(DASHBOARD)['slug']}/"


def dashboard_tiles() -> list[dict]:
    """The meta (uuid, sliceName, chartId, size) of every chart tile the dashboard's layout places."""
    position = load(DASHBOARD)["position"]
    return [v["meta"] for v in position.values() if isinstance(v, dict) and v.get("type") == "CHART"]
