"""Where the kit finds the domains: the package named DOMAINS, one sub-package per domain (domains/<d>/).

The kit (etl/) holds no domain knowledge and imports no domain: the dataset registry, the staging DDL and the
suites are gathered here by name, the way Dagster's `load_assets_from_package_module` gathers assets. A new
domain is a new folder; nothing in the kit changes (docs/adding-a-dataset.md).
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType

DOMAINS = "domains"


@lru_cache(maxsize=1)
def domain_dirs() -> tuple[Path, ...]:
    """Each domain's folder, by name: a sub-package of DOMAINS."""
    spec = importlib.util.find_spec(DOMAINS)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"etl/plugins.py: no package {DOMAINS!r} to find the domains in")
    found = [p for root in spec.submodule_search_locations for p in Path(root).iterdir()]
    return tuple(sorted((p for p in found if (p / "__init__.py").is_file()), key=lambda p: p.name))


def modules(name: str) -> list[ModuleType]:
    """`domains.<d>.<name>` of every domain that has one (e.g. "datasets", "suites"), in domain order."""
    return [
        importlib.import_module(f"{DOMAINS}.{d.name}.{name}") for d in domain_dirs() if (d / f"{name}.py").is_file()
    ]


def files(name: str) -> list[Path]:
    """`domains/<d>/<name>` of every domain that has one (e.g. "staging.sql"), in domain order."""
    return [d / name for d in domain_dirs() if (d / name).is_file()]


def where(module: ModuleType) -> str:
    """A domain module's file, relative to the project, for error messages."""
    return module.__name__.replace(".", "/") + ".py"
