"""The board marts: board_daily (per session, rebuilt from member bars) and fund_flow_board_daily (rebuilt
whole from the rank snapshots).

transforms.py (polars), assets.py (its Dagster assets); the DDL is the BI contract,
warehouse/sql/30_marts.sql.
"""
