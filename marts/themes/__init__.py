"""The theme marts: membership and daily theme figures per session; the dividend-vs-AI spread, event windows
and the US -> A-share transmission, rebuilt whole (their rows depend on many days).

transforms.py (polars), assets.py (its Dagster assets); the DDL is the BI contract,
warehouse/sql/30_marts.sql.
"""
