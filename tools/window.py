"""A small warehouse of a few sessions in a scratch directory, for the checks that need real marts quickly
(`make ui-test`, `make superset-test`, `make bi-test`): `assets.demo` over the window, its own Dagster
instance, no data docs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from etl.settings import WAREHOUSE_DIR


def build(work: Path, first: str, last: str) -> dict[str, str]:
    """Materialise every asset over first..last into work/ashare.duckdb (published: work/bi/marts.duckdb);
    returns the environment that names that warehouse and instance. Run again to extend the same warehouse."""
    env = {
        **os.environ,
        "DAGSTER_HOME": str(work / "dagster"),
        "ASHARE_WAREHOUSE": str(work / "ashare.duckdb"),
        "ASHARE_DATA_DOCS": "0",
        "TQDM_DISABLE": "1",
    }
    (work / "dagster").mkdir(parents=True, exist_ok=True)
    shutil.copy(WAREHOUSE_DIR / "dagster.yaml", work / "dagster" / "dagster.yaml")
    command = [sys.executable, "-m", "assets.demo", "--first", first, "--last", last]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return env
