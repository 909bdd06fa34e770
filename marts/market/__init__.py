"""The market marts: index_daily and market_breadth_daily, per session.

transforms.py (polars), assets.py (its Dagster assets); the DDL is the BI contract,
warehouse/sql/30_marts.sql.
"""
