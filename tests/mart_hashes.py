"""Hash every mart (and staging table) of a warehouse, row order and parallelism aside:
    python -m tests.mart_hashes warehouse/ashare.duckdb > before.tsv
Run it before and after a change that should not alter results, and diff the two files."""

import sys

import duckdb

# which run staged which news capture, and when: differs on every run by design
BOOKKEEPING = ("news_captures",)


def hashes(path: str) -> list[tuple[str, int, str]]:
    con = duckdb.connect(path, read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ('staging', 'marts') "
            f"AND table_name NOT IN {BOOKKEEPING} ORDER BY ALL"
        ).fetchall()
        return [
            (
                f"{s}.{t}",
                *con.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(r::VARCHAR, '|' ORDER BY r::VARCHAR), '')) "
                    f"FROM {s}.{t} r"
                ).fetchone(),
            )
            for s, t in tables
        ]
    finally:
        con.close()


if __name__ == "__main__":
    for name, rows, digest in hashes(sys.argv[1]):
        print(f"{name}\t{rows}\t{digest}")
