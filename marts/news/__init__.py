"""The news mart: news_theme_daily, attention per theme and session.

transforms.py (polars), assets.py (its Dagster assets); the DDL is the BI contract,
warehouse/sql/30_marts.sql.
"""
