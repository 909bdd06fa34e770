"""`make bi-test`: the published marts through the DuckDB JDBC driver, the way DBeaver and Metabase read them.

The driver jar (org.duckdb:duckdb_jdbc, the version matching the pinned duckdb) comes from Maven
(`make bi-driver`); tools/bi/JdbcReader.java runs under Java's source launcher with it on the class path.

1. Builds marts over 2025-01-22..2025-02-05 in a temporary directory (or takes `--marts`).
2. Runs every example query of docs/bi.md through JDBC (read-only, as DBeaver/Metabase configure it) and
   through Python's duckdb, and compares column names and every value (numbers as numbers, the rest as text).
3. Holds a JDBC connection open on the published file while the pipeline republishes it (two more sessions):
   the publish succeeds, the held connection still reads the old file, a reconnect reads the new one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb

from etl.contract import declared
from etl.settings import PROJECT_ROOT
from tests.test_publish import readme_examples
from tools import window

READER = PROJECT_ROOT / "tools" / "bi" / "JdbcReader.java"
NUMERIC = ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT")


def driver_jar() -> Path:
    jar = PROJECT_ROOT / "tools" / "bi" / "lib" / f"duckdb_jdbc-{duckdb.__version__}.0.jar"
    if not jar.exists():
        raise SystemExit(f"{jar} missing: `make bi-driver` fetches it from Maven")
    return jar


def java(jar: Path, *args: str, **kwargs) -> subprocess.CompletedProcess | subprocess.Popen:
    command = ["java", "-cp", str(jar), str(READER), *args]
    if kwargs.pop("background", False):
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, **kwargs)
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise SystemExit(f"bi-test FAILED: {READER.name} {args[0]} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return done


def same(jdbc: str | None, python, type_name: str) -> bool:
    if jdbc is None or python is None:
        return jdbc is None and python is None
    if type_name.upper().startswith(NUMERIC):
        return float(jdbc) == float(python)  # Java prints a double with digits enough to read back exactly
    return jdbc == str(python)


def compare_queries(jar: Path, marts: Path, work: Path) -> list[str]:
    examples = readme_examples()
    (work / "queries.sql").write_text(";\n".join(examples) + ";\n", encoding="utf-8")
    lines = java(jar, "queries", str(marts), str(work / "queries.sql")).stdout.splitlines()
    problems = [] if len(lines) == len(examples) else [f"JDBC answered {len(lines)} of {len(examples)} queries"]
    con = duckdb.connect(str(marts), read_only=True)
    try:
        for sql, line in zip(examples, lines, strict=False):  # a shortfall is reported above
            got, cursor = json.loads(line), con.execute(sql)
            expected = cursor.fetchall()
            name = sql.strip().splitlines()[0]
            if got["columns"] != [d[0] for d in cursor.description]:
                problems.append(f"{name}: JDBC columns {got['columns']}")
            elif len(got["rows"]) != len(expected) or not expected:
                problems.append(f"{name}: JDBC {len(got['rows'])} rows, Python {len(expected)}")
            else:
                bad = [
                    (i, j, a, b)
                    for i, (jrow, prow) in enumerate(zip(got["rows"], expected, strict=True))
                    for j, (a, b) in enumerate(zip(jrow, prow, strict=True))
                    if not same(a, b, got["types"][j])
                ]
                if bad:
                    problems.append(f"{name}: {len(bad)} values differ, first (row, column, JDBC, Python): {bad[0]}")
    finally:
        con.close()
    return problems


def navigator_shows_the_contract(jar: Path, marts: Path) -> list[str]:
    """DatabaseMetaData, as DBeaver's navigator reads it: every mart with its columns, each table and column
    with the contract's comment (warehouse/sql/30_marts.sql) as its REMARKS."""

    seen = {}
    for line in java(jar, "catalog", str(marts)).stdout.splitlines():
        item = json.loads(line)
        seen[item["table"]] = item
    problems = []
    for name, spec in declared().items():
        table = seen.get(name.removeprefix("marts."))
        if table is None:
            problems.append(f"DatabaseMetaData lists no table {name}")
            continue
        if table["remarks"] != spec.description:
            problems.append(f"{name}: REMARKS {table['remarks']!r}, the contract says {spec.description!r}")
        columns = {c: r for c, r in table["columns"]}
        if list(columns) != [c.name for c in spec.columns]:
            problems.append(f"{name}: DatabaseMetaData columns {list(columns)}")
        problems += [
            f"{name}.{c.name}: REMARKS {columns.get(c.name)!r}, the contract says {c.meaning!r}"
            for c in spec.columns
            if columns.get(c.name) != c.meaning
        ][:3]
    return problems


def writes_are_refused(jar: Path, marts: Path) -> list[str]:
    answer = java(jar, "write", str(marts)).stdout.strip()
    return [] if answer.startswith("refused") else [f"a write through JDBC was not refused: {answer!r}"]


def held_reader_survives_a_publish(jar: Path, work: Path) -> list[str]:
    marts = work / "bi" / "marts.duckdb"
    reader = java(jar, "hold", str(marts), background=True)
    answers = []
    try:
        answers.append(reader.stdout.readline().split())
        window.build(work, "2025-02-06", "2025-02-07")  # the pipeline republishes while JDBC holds the file
        for command in ("query", "reconnect"):
            reader.stdin.write(command + "\n")
            reader.stdin.flush()
            answers.append(reader.stdout.readline().split())
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)
    expected = [["connected", "2025-02-05"], ["same", "connection", "2025-02-05"], ["reconnected", "2025-02-07"]]
    return [] if answers == expected else [f"held JDBC reader answered {answers}, expected {expected}"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bi_check")
    parser.add_argument("--marts", type=Path, help="a published marts file for the query comparison")
    args = parser.parse_args()
    jar = driver_jar()
    work = Path(tempfile.mkdtemp(prefix="ashare-bi-"))
    try:
        window.build(work, "2025-01-22", "2025-02-05")
        marts = args.marts.resolve() if args.marts else work / "bi" / "marts.duckdb"
        problems = (
            compare_queries(jar, marts, work)
            + navigator_shows_the_contract(jar, marts)
            + writes_are_refused(jar, marts)
            + held_reader_survives_a_publish(jar, work)
        )
        if problems:
            raise SystemExit("bi-test FAILED:\n  " + "\n  ".join(problems))
        print(
            f"bi-test OK: {len(readme_examples())} example queries of docs/bi.md equal through JDBC ({jar.name}, "
            f"read-only) and Python; DatabaseMetaData lists the {len(declared())} marts and their columns with "
            f"the contract's comments; a write through JDBC is refused; a JDBC reader holding the file open did not "
            f"stop a publish, kept its view, and saw the new sessions on reconnect"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
