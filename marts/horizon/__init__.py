"""The long horizon: index valuation through time, trailing-window performance of declared pairs, drawdowns
and rebounds. Rebuilt whole each run: every row depends on the history before it, and the tables are small
(indices × sessions).

transforms.py (polars), assets.py (its Dagster assets); the DDL is the BI contract,
warehouse/sql/30_marts.sql.
"""
