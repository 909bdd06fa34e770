"""The US side: the AI chain's daily bars and the US indices over the years, on the US calendar, raw -> staging.

datasets.py (input specs, raw tables, live fetch), transforms.py (polars), suites.py (its Great
Expectations suites), staging.sql (its staging DDL), assets.py (its Dagster assets, the folder's only
Dagster file).
"""
