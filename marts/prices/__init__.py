"""Prices: adjustment derived from unadjusted bars (marts.stock_adjustment_factors), per session.

transforms.py (polars), assets.py (its Dagster asset); the DDL is the BI contract, warehouse/sql/30_marts.sql.
Why derived and not fetched: docs/prices.md.
"""
