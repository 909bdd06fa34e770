"""The lake deployment's tools: `python -m etl.lake init` (its catalog and tables, once) and local.py (a local
PostgreSQL and S3 endpoint for `make lake-up` / `lake-test`). The backend itself is etl/warehouse/lake.py, its
publishing etl/warehouse/lake_publish.py.
"""
