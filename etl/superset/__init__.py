"""Superset over the published marts: a ready dashboard, imported from files kept in the repository.

warehouse/superset/dashboard/ is a Superset export bundle (YAML): the database (the published file, opened
read-only through duckdb_engine), one dataset per mart (generated from the contract, `bundle.py`), the
charts and the dashboard (written by hand). Superset runs in its own environment (.superset-venv, from
warehouse/superset/requirements.txt) so its pins never touch the project's lock; its metadata is SQLite under
warehouse/superset/state/. `service.py` sets it up, imports the bundle, starts and stops it;
`load_bundle.py` is the part that runs inside Superset's interpreter. docs/superset.md has the how-to.
"""
