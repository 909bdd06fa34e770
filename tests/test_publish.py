"""Write-audit-publish: BI readers use warehouse/bi/marts.duckdb, never block the pipeline, and see new data
when they reconnect; the example queries of docs/bi.md run through SQLAlchemy + duckdb_engine (Superset's way)."""

import re
import shutil
import subprocess
import sys
import textwrap

import duckdb
import pytest
import sqlalchemy as sa

from etl.contract import BI_DOC, declared
from etl.warehouse.publish import ContractDrift, publish
from tests.conftest import materialize_range, table


def published(warehouse_path):
    return warehouse_path.parent / "bi" / "marts.duckdb"


def readme_examples() -> list[str]:
    text = BI_DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- bi-examples -->\n```sql\n(.*?)```", text, re.S).group(1)
    return [s.strip() for s in block.split(";") if s.strip()]


def test_the_published_file_holds_every_mart_and_its_contract(built_warehouse):
    con = duckdb.connect(str(published(built_warehouse)), read_only=True)
    try:
        contract = declared()
        for name, spec in contract.items():
            described = con.execute(f"DESCRIBE {name}").fetchall()
            assert [(r[0], r[1]) for r in described] == [(c.name, c.type) for c in spec.columns]
            comments = con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = $t ORDER BY column_index",
                {"t": name.removeprefix("marts.")},
            ).fetchall()
            assert comments == [(c.name, c.meaning) for c in spec.columns]  # the meanings travel with the data
            assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == table(
                built_warehouse, f"SELECT count(*) FROM {name}"
            ).row(0)
        listed = con.execute("SELECT count(*), count(DISTINCT table_name) FROM marts.contract").fetchone()
        assert listed == (sum(len(t.columns) for t in contract.values()), len(contract))
        assert con.execute("SELECT first_session, last_session FROM marts.publication").fetchone() == table(
            built_warehouse, "SELECT min(trade_date), max(trade_date) FROM marts.market_breadth_daily"
        ).row(0)
    finally:
        con.close()
    assert list(published(built_warehouse).parent.iterdir()) == [published(built_warehouse)]  # no partial left


def test_readme_example_queries_run_through_sqlalchemy_and_duckdb_engine(built_warehouse):
    engine = sa.create_engine(f"duckdb:///{published(built_warehouse)}", connect_args={"read_only": True})
    examples = readme_examples()
    assert len(examples) >= 8
    with engine.connect() as conn:
        for sql in examples:
            rows = conn.execute(sa.text(sql)).fetchall()
            assert rows, sql.splitlines()[0]
        spread = conn.execute(sa.text(examples[0])).mappings().all()
        day = next(r for r in spread if str(r["trade_date"]) == "2025-02-05")
        assert day["ai_return_pct"] > 0 > day["dividend_return_pct"]
    engine.dispose()


READER = textwrap.dedent("""
    import sys, duckdb
    path = sys.argv[1]
    con = duckdb.connect(path, read_only=True)
    last = lambda c: str(c.execute("SELECT max(trade_date) FROM marts.theme_daily").fetchone()[0])
    print("connected", last(con), flush=True)
    for command in sys.stdin:
        if command.strip() == "query":
            print("same connection", last(con), flush=True)
        elif command.strip() == "reconnect":
            con.close()
            con = duckdb.connect(path, read_only=True)
            print("reconnected", last(con), flush=True)
""")


def test_a_connected_reader_never_blocks_a_republish_and_sees_new_data_on_reconnect(tmp_path):
    path = tmp_path / "w.duckdb"
    assert materialize_range(path, "2025-01-22", "2025-02-05").success
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published(path))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout.readline().split() == ["connected", "2025-02-05"]
        # the pipeline writes its own file and republishes while the reader holds the published one open
        assert materialize_range(path, "2025-02-06", "2025-02-07").success
        reader.stdin.write("query\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["same", "connection", "2025-02-05"]  # old file, still fine
        reader.stdin.write("reconnect\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["reconnected", "2025-02-07"]
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert reader.returncode == 0


def test_a_mart_that_drifts_from_the_contract_is_not_published(built_warehouse, altered_warehouse, tmp_path):
    copy = altered_warehouse("ALTER TABLE marts.theme_daily RENAME COLUMN amount_share_pct TO turnover_share_pct")
    target = tmp_path / "bi" / "marts.duckdb"
    shutil.copytree(published(built_warehouse).parent, target.parent)
    before = target.read_bytes()
    with pytest.raises(ContractDrift, match="marts.theme_daily"):
        publish(copy, target)
    assert target.read_bytes() == before  # BI keeps the last good file
    assert list(target.parent.iterdir()) == [target]


def test_the_mart_audits_catch_a_missing_session_and_rows_on_a_closed_day(altered_warehouse):
    from assets.publish import AUDITS
    from assets.resources import WarehouseResource

    audit = next(a for a in AUDITS if a.check_key.asset_key.path == ["marts", "theme_daily"])
    assert audit(warehouse=WarehouseResource(path=str(altered_warehouse()))).passed
    copy = altered_warehouse(
        "DELETE FROM marts.theme_daily WHERE trade_date = '2025-01-27'",
        "INSERT INTO marts.theme_daily SELECT * REPLACE (DATE '2025-01-29' AS trade_date) "
        "FROM marts.theme_daily WHERE trade_date = '2025-01-24'",
    )
    result = audit(warehouse=WarehouseResource(path=str(copy)))
    assert not result.passed
    assert result.metadata["sessions_missing"].value == ["2025-01-27"]
    assert result.metadata["sessions_not_in_input"].value == ["2025-01-29"]  # a closed day: no bars that day
