"""A real PostgreSQL cluster for the lake tests (`make lake-test`), started once per session in a directory of
its own under /tmp (readable by user `postgres`), each test on a database of its own, stopped and deleted at
the end whatever happened."""

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from etl.lake import local
from etl.warehouse import lake as backend


@pytest.fixture(scope="session")
def cluster():
    home = Path(tempfile.mkdtemp(prefix="ashare-lake-test-", dir="/tmp"))
    home.chmod(0o755)
    saved, local.HOME = local.HOME, home
    try:
        env = local.up()
        yield env
    finally:
        backend.close_connections()
        local.down(purge=True)
        local.HOME = saved
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def lake_env(cluster, monkeypatch) -> dict:
    """A fresh, empty lake (catalog database and data directory) in the environment, not initialised."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    env = {
        "ASHARE_WAREHOUSE": local.recreate_database(int(cluster["ASHARE_LAKE_PG_PORT"]), name),
        "ASHARE_LAKE_DATA": str(local.HOME / name) + "/",
        "ASHARE_LAKE_HOME": str(local.HOME / f"{name}-home"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env
    backend.close_connections()


@pytest.fixture
def lake(lake_env) -> backend.LakeWarehouse:
    """A fresh lake with every table created (`python -m etl.lake init`)."""
    wh = backend.LakeWarehouse(lake_env["ASHARE_WAREHOUSE"])
    wh.init()
    return wh
