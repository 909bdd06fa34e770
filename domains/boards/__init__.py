"""Concept and industry boards: lists, membership history (snapshots -> intervals), board bars (live).

datasets.py (input specs, raw tables, live fetch), transforms.py (polars), suites.py (its Great
Expectations suites), staging.sql (its staging DDL), assets.py (its Dagster assets, the folder's only
Dagster file).
"""
