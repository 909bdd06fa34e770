"""News text: CCTV 新闻联播 by date and the market flash feed, normalised, de-duplicated and tagged.

datasets.py (input specs, raw tables, live fetch), transforms.py (polars), suites.py (its Great
Expectations suites), staging.sql (its staging DDL), assets.py (its Dagster assets, the folder's only
Dagster file).
"""
