"""Rates: China and US government bond yields, raw -> staging (live only: the recording has none).

datasets.py (input spec, raw table, live fetch), suites.py (its Great Expectations suite), staging.sql (its
staging DDL), assets.py (its Dagster assets, made by the captured-raw and latest-capture factories; no
transform of its own).
"""
