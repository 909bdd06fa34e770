"""Hash every mart (and staging table) of a warehouse, row order and parallelism aside:
    python -m tools.mart_hashes warehouse/ashare.duckdb > before.tsv
    python -m tools.mart_hashes "ducklake:postgres:dbname=lake host=127.0.0.1 port=…"   # a lake
Run it before and after a change that should not alter results, and diff the two files."""

import sys

# which run staged which news capture, and when: differs on every run by design
BOOKKEEPING = ("news_captures",)


def hashes(location: str) -> list[tuple[str, int, str]]:
    from etl.warehouse import open_warehouse

    with open_warehouse(location).connect(read_only=True) as con:
        con.execute("SET memory_limit = '4GB'")  # one string_agg over the biggest table: more than a step needs
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
            f"AND schema_name IN ('staging', 'marts') AND table_name NOT IN {BOOKKEEPING} ORDER BY ALL"
        ).fetchall()
        return [(f"{s}.{t}", *digest(con, f"{s}.{t}")) for s, t in tables]


def digest(con, table: str) -> tuple[int, str]:
    """Rows and an md5 of every row's text, in sorted order: equal tables give equal digests."""
    return con.execute(
        f"SELECT count(*), md5(coalesce(string_agg(r::VARCHAR, '|' ORDER BY r::VARCHAR), '')) FROM {table} r"
    ).fetchone()


if __name__ == "__main__":
    for name, rows, digest in hashes(sys.argv[1]):
        print(f"{name}\t{rows}\t{digest}")
