"""Indices: Eastmoney daily bars of the tracked indices and the CSI official histories, raw -> staging.

datasets.py (input specs, raw tables, live fetch), transforms.py (polars), suites.py (its Great
Expectations suites), staging.sql (its staging DDL), assets.py (its Dagster assets, the folder's only
Dagster file).
"""
