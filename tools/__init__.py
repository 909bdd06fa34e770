"""What the make targets run besides the test suite: the browser checks of the Dagster UI, the data docs and
Superset (`make ui-test`, `make superset-test`), the JDBC check (`make bi-test`), the benches (`make bench`,
`bench-scale`, `lake-bench`) and `python -m tools.mart_hashes`, the proof a refactor changed no result."""
