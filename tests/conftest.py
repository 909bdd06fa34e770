import datetime as dt
import os

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("ASHARE_DATA_DOCS", "0")  # rendering HTML is for make demo; tests/test_quality.py builds it once

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.definitions import all_assets
from assets.resources import MarketSourceResource, WarehouseResource

# The bar assets and what they need, for runs that exercise bars alone (faster than the whole graph)
BAR_ASSETS = [
    "raw/stock_universe",
    "staging/stock_universe",
    "staging/stock_name_history",
    "raw/stock_bars_daily",
    "staging/stock_bars_daily",
]

# A window around the Spring Festival closure: the last pre-holiday session and the first of the Snake year.
FIRST, LAST = "2025-01-22", "2025-02-07"


def range_tags(first: str, last: str) -> dict[str, str]:
    """A run over the sessions first..last: their month partitions, first..last as the session window."""
    from assets.partitions import session_tags

    return session_tags(first, last)


def materialize_range(
    warehouse_path, first=FIRST, last=LAST, source=None, selection=None, raise_on_error=True, instance=None
):
    source = source or MarketSourceResource()
    return dg.materialize(
        all_assets,
        resources={"warehouse": WarehouseResource(path=str(warehouse_path)), "market_source": source},
        tags=range_tags(first, last),
        selection=selection,
        raise_on_error=raise_on_error,
        instance=instance,
    )


def table(path, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


@pytest.fixture(scope="session")
def built_warehouse_result(tmp_path_factory):
    """The whole graph materialised once over the holiday window, shared by read-only tests."""
    path = tmp_path_factory.mktemp("wh") / "ashare.duckdb"
    result = materialize_range(path)
    assert result.success
    result.path = path
    return result


@pytest.fixture(scope="session")
def built_warehouse(built_warehouse_result):
    return built_warehouse_result.path


@pytest.fixture
def altered_warehouse(built_warehouse, tmp_path):
    """make(*sql): a fresh copy of the built warehouse with the statements applied (the shared one stays intact)."""
    import shutil

    def make(*statements: str):
        copy = tmp_path / "altered.duckdb"
        shutil.copy(built_warehouse, copy)
        con = duckdb.connect(str(copy))
        try:
            for statement in statements:
                con.execute(statement)
        finally:
            con.close()
        return copy

    return make


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def reland(root, function: str, partition: str, frame: pl.DataFrame) -> None:
    """Replace a sample file *and* its manifest row (sha256, rows), as `make sample` would: a deliberate edit
    of a landing zone, which the checked replay accepts (a file changed behind the manifest's back fails)."""
    import json
    from pathlib import Path

    from etl.landing import MANIFEST, sha256_of

    root = Path(root)
    path = root / function / f"{partition}.parquet"
    frame.write_parquet(path)
    lines = (root / MANIFEST).read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        row = json.loads(line) if line.strip() else None
        if row and row["function"] == function and row["partition"] == partition:
            row.update(rows=frame.height, sha256=sha256_of(path))
            line = json.dumps(row, ensure_ascii=False, sort_keys=True)
        out.append(line)
    (root / MANIFEST).write_text("\n".join(out) + "\n", encoding="utf-8")
