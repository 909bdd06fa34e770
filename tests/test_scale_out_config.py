"""The deployment configs docs/scale-out.md names load and validate against Dagster's own schemas (the instance
files, the run launcher's and executors' config), and the Definitions pick the executor they ask for."""

import shutil
import subprocess
import sys

import pytest
import yaml

from etl.settings import PROJECT_ROOT, WAREHOUSE_DIR

INSTANCES = [
    WAREHOUSE_DIR / "dagster-lake.yaml",
    WAREHOUSE_DIR / "deploy" / "k8s" / "dagster.yaml",
    WAREHOUSE_DIR / "deploy" / "celery" / "dagster.yaml",
]


def validated(config_type, value) -> dict:
    from dagster._config import process_config

    result = process_config(config_type, value)
    assert result.success, [e.message for e in result.errors]
    return result.value


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: str(p.relative_to(WAREHOUSE_DIR)))
def test_instance_files_validate(path, tmp_path, monkeypatch):
    from dagster._core.instance.config import dagster_instance_config

    monkeypatch.setenv("ASHARE_DAGSTER_PG_URL", "postgresql+psycopg2://lake@127.0.0.1:5432/dagster")
    shutil.copyfile(path, tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    assert "postgres" in config["storage"]
    if "celery" in str(path):  # no op pools: a killed worker's claimed slot is never freed (tests/lake/test_celery.py)
        assert "pools" not in config.get("concurrency", {})
    else:
        assert config["concurrency"]["pools"]["granularity"] == "op"  # steps, not runs, claim the lake's writers
    launcher = config.get("run_launcher")
    if launcher:  # the class's own config, as it would be checked when the run launcher is built
        from dagster_k8s import K8sRunLauncher

        assert launcher["class"] == "K8sRunLauncher"
        validated(K8sRunLauncher.config_type(), launcher["config"])


@pytest.mark.parametrize("kind", ["k8s", "celery"])
def test_run_configs_validate_against_their_executor(kind, monkeypatch):
    from dagster_celery import celery_executor
    from dagster_k8s import k8s_job_executor

    monkeypatch.setenv("ASHARE_CELERY_BROKER", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("ASHARE_CELERY_BACKEND", "redis://127.0.0.1:6379/1")
    run_config = yaml.safe_load((WAREHOUSE_DIR / "deploy" / kind / "run_config.yaml").read_text(encoding="utf-8"))
    executor = {"k8s": k8s_job_executor, "celery": celery_executor}[kind]
    validated(executor.config_schema.config_type, run_config["execution"]["config"])


PICKED = "from assets.definitions import defs; print(defs.resolve_job_def('warehouse_job').executor_def.name)"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "in_process"),
        ({"ASHARE_WAREHOUSE": "ducklake:postgres:dbname=lake host=127.0.0.1"}, "lake_writers"),
        ({"ASHARE_WAREHOUSE": "ducklake:postgres:dbname=lake", "ASHARE_EXECUTOR": "k8s"}, "k8s"),
        ({"ASHARE_WAREHOUSE": "ducklake:postgres:dbname=lake", "ASHARE_EXECUTOR": "celery"}, "celery"),
    ],
)
def test_the_definitions_pick_the_executor_the_deployment_asks_for(env, expected):
    import os

    base = {k: v for k, v in os.environ.items() if k not in ("ASHARE_WAREHOUSE", "ASHARE_EXECUTOR")}
    done = subprocess.run(
        [sys.executable, "-c", PICKED], cwd=PROJECT_ROOT, env={**base, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == expected


def test_a_file_warehouse_refuses_parallel_executors():
    import os

    done = subprocess.run(
        [sys.executable, "-c", PICKED],
        cwd=PROJECT_ROOT,
        env={**os.environ, "ASHARE_WAREHOUSE": "/tmp/x.duckdb", "ASHARE_EXECUTOR": "multiprocess"},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "a DuckDB file admits one writer process" in done.stderr


def test_a_celery_run_gets_the_deployments_run_config_or_the_file_named(monkeypatch, tmp_path):
    from assets.definitions import executor_run_config
    from etl.env import SettingError

    monkeypatch.delenv("ASHARE_CELERY_RUN_CONFIG", raising=False)
    monkeypatch.setenv("ASHARE_EXECUTOR", "multiprocess")
    assert executor_run_config() == {}
    monkeypatch.setenv("ASHARE_EXECUTOR", "celery")
    config = executor_run_config()["execution"]["config"]
    assert config["broker"] == {"env": "ASHARE_CELERY_BROKER"} and config["config_source"]["task_acks_late"] is True
    monkeypatch.setenv("ASHARE_CELERY_RUN_CONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(SettingError, match="ASHARE_CELERY_RUN_CONFIG=.*missing.yaml.*existing file"):
        executor_run_config()
