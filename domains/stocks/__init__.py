"""Stocks: the listed universe (snapshots) and daily bars (per session, qfq and unadjusted), raw -> staging,
and the name history (ST flags and renames as validity intervals).

datasets.py (input specs, raw tables, live fetch), transforms.py (polars), suites.py (its Great
Expectations suites), staging.sql (its staging DDL), assets.py (its Dagster assets, the folder's only
Dagster file).
"""
