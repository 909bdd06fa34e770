"""The marts, one folder per subject: marts/<s>/transforms.py (polars) and marts/<s>/assets.py (Dagster); their
DDL is the BI contract, warehouse/sql/30_marts.sql, one file. inputs.py: what the marts read of staging."""
