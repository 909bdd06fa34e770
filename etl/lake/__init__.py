"""The lake deployment: DuckLake (catalog in PostgreSQL, Parquet data) as the warehouse, for several writers.

backend.py  the warehouse interface on a lake: connection, one-time init, conflict retries
publish.py  publishing as a tagged snapshot; pinned readers; snapshot expiry that keeps published ones
local.py    a local PostgreSQL (and S3 endpoint) for `make lake-up` / `lake-test`
"""
