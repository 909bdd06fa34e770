"""Superset's configuration for the local dashboard over the published marts (`make superset`, docs/superset.md).

Read by Superset's own interpreter (.superset-venv) through SUPERSET_CONFIG_PATH; etl/superset/service.py sets
ASHARE_SUPERSET_HOME, the state directory: the SQLite metadata database and the secret key live there.
A single-user local setup on 127.0.0.1: no Redis, no Celery, no reports.
"""

import os
from pathlib import Path

_HOME = Path(os.environ["ASHARE_SUPERSET_HOME"])

SECRET_KEY = (_HOME / "secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_HOME / 'superset.db'}"
# the rate limiter's in-process store (it warns on every start without an explicit choice); fine for one process
RATELIMIT_STORAGE_URI = "memory://"

# Nothing on the dashboard comes from another host, and the machine may be offline: the default policy's
# telemetry pixel, map tiles and web fonts are dropped, so the browser never tries them.
_SELF = ["'self'"]
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": _SELF,
        "default-src": _SELF,
        "img-src": [*_SELF, "blob:", "data:"],
        "worker-src": [*_SELF, "blob:"],
        "connect-src": _SELF,
        "object-src": "'none'",
        "style-src": [*_SELF, "'unsafe-inline'"],
        "font-src": [*_SELF, "data:"],
        "script-src": [*_SELF, "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}

# SQL Lab is off: the dashboard needs none of it, and a login that can type SQL is a login that can try the
# machine (DuckDB's external access is off and locked on the connection too: databases/ashare_marts.yaml).
# ASHARE_SUPERSET_SQLLAB=1 turns it on for an analyst who wants it; the connection stays locked either way.
_SQLLAB = os.environ.get("ASHARE_SUPERSET_SQLLAB", "0").strip() or "0"
if _SQLLAB not in ("0", "1"):
    raise ValueError(f"ASHARE_SUPERSET_SQLLAB={_SQLLAB!r}: expected 0 (SQL Lab off, the default) or 1")
SQL_LAB_PATHS = ("/sqllab", "/api/v1/sqllab", "/superset/sqllab", "/api/v1/query", "/api/v1/saved_query")


# Every DuckDB engine Superset builds, whatever its database record says (an admin can edit the connection's
# extra or add another database): the published marts file only, read-only, external access off and the
# configuration locked. The record's own DuckDB config is dropped, not merged: `allowed_directories` and
# `allowed_paths` would re-open the file system even with external access off.
_LOCKED = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,  # last: nothing after it, and no SQL, may change the others
}
_MARTS = Path((_HOME / "published_marts").read_text(encoding="utf-8").strip())


class LockedDuckDB(Exception):
    """A DuckDB connection Superset may not open: another file than the published marts."""


def DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):  # noqa: N802 - Superset's name
    if not uri.drivername.startswith("duckdb"):
        return uri, params
    database = uri.database or ""
    if database in ("", ":memory:") or Path(database).resolve() != _MARTS:
        raise LockedDuckDB(
            f"DuckDB database {database or ':memory:'!r} refused: this Superset serves the published marts "
            f"({_MARTS}) and no other DuckDB file"
        )
    connect_args = {**(params.get("connect_args") or {}), "read_only": True, "config": dict(_LOCKED)}
    return uri, {**params, "connect_args": connect_args}


def FLASK_APP_MUTATOR(app):  # noqa: N802 - Superset's name for the hook
    if _SQLLAB == "1":
        return
    from flask import abort, request

    @app.before_request
    def _sql_lab_is_off():
        if request.path.startswith(SQL_LAB_PATHS):
            abort(403, description="SQL Lab is off on this Superset (ASHARE_SUPERSET_SQLLAB)")
