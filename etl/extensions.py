"""DuckDB extensions, loaded from the wheels the lock file installs, never downloaded.

The lake backend (issue 14: DuckLake with its catalog in PostgreSQL) needs `ducklake` and `postgres_scanner`.
DuckDB would fetch them from its extensions host, which this project's machines cannot reach (and a download
at run time is not what the lock file says). PyPI carries them as wheels built for one DuckDB version
(`duckdb-extension-<name>==1.5.5`, pinned with duckdb in pyproject.toml); each wheel holds the binary at
`<package>/extensions/v<duckdb version>/<name>.duckdb_extension` and an empty `__init__`, so we LOAD that
file. Connections that use them must be opened with autoinstall and autoload off (`OFFLINE`): otherwise
DuckDB tries the network first and fails after about a second.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

# the connection settings that keep DuckDB from reaching for its extensions host
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "httpfs": "duckdb_extension_httpfs",
}


class ExtensionMissing(RuntimeError):
    pass


def extension_file(name: str) -> Path:
    """The extension binary installed by its wheel, for the running DuckDB version."""
    import duckdb

    package = PACKAGES.get(name)
    spec = importlib.util.find_spec(package) if package else None
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionMissing(
            f"DuckDB extension {name!r}: its wheel ({package or 'unknown'}) is not installed; "
            "run `uv sync --locked` (pyproject.toml pins it with duckdb)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}"
    path = path / f"{name}.duckdb_extension"
    if not path.exists():
        built = sorted(p.name for p in path.parent.parent.glob("v*"))
        raise ExtensionMissing(
            f"DuckDB extension {name!r}: no build for duckdb {duckdb.__version__} in {path.parent.parent} "
            f"(it has {built}); an extension loads only in the version it was built for"
        )
    return path


def load(con, *names: str) -> None:
    """LOAD each extension into the connection from its installed wheel."""
    for name in names:
        con.execute(f"LOAD '{extension_file(name)}'")
