"""Every setting is validated where it is read: a bad value fails at once naming the variable, the value and
what is allowed (issue 22, case 11), never deep inside a run."""

import subprocess
import sys

import pytest

from etl import env
from etl.settings import PROJECT_ROOT, Settings


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "20 sessions"])
def test_a_whole_number_setting_refuses_what_is_not_one_in_range(monkeypatch, value):
    monkeypatch.setenv("ASHARE_CHUNK_SESSIONS", value)
    with pytest.raises(env.SettingError, match=f"ASHARE_CHUNK_SESSIONS='{value}': expected a whole number >= 1"):
        env.integer("ASHARE_CHUNK_SESSIONS", 20, minimum=1)


def test_unset_or_empty_takes_the_default(monkeypatch):
    monkeypatch.delenv("ASHARE_CHUNK_SESSIONS", raising=False)
    assert env.integer("ASHARE_CHUNK_SESSIONS", 20, minimum=1) == 20
    monkeypatch.setenv("ASHARE_CHUNK_SESSIONS", " ")
    assert env.integer("ASHARE_CHUNK_SESSIONS", 20, minimum=1) == 20
    monkeypatch.setenv("ASHARE_CHUNK_SESSIONS", "5")
    assert env.integer("ASHARE_CHUNK_SESSIONS", 20, minimum=1) == 5


@pytest.mark.parametrize(
    "module, name, value, message",
    [
        # a chunk of 0 sessions ended in `range() arg 3 must not be zero`, 'abc' in KeyError: 'landed_files'
        ("assets.chunks", "ASHARE_CHUNK_SESSIONS", "0", "expected a whole number >= 1"),
        ("assets.chunks", "ASHARE_CHUNK_SESSIONS", "abc", "expected a whole number >= 1"),
        # 0 retries made every lake write silently do nothing (the loop never ran)
        ("etl.warehouse.lake", "ASHARE_LAKE_RETRIES", "0", "expected a whole number >= 1 and <= 100"),
        ("etl.warehouse.lake", "ASHARE_LAKE_RETRIES", "-3", "expected a whole number >= 1 and <= 100"),
        ("etl.warehouse", "ASHARE_DUCKDB_MEMORY_LIMIT", "lots", "expected a size such as 512MB"),
        ("etl.settings", "ASHARE_SOURCE", "tushare", "expected one of recorded, akshare"),
        # failed deep inside the run, in the first gate that rendered data docs
        ("etl.settings", "ASHARE_DATA_DOCS", "2", "expected 1 or 0"),
        ("etl.settings", "ASHARE_WAREHOUSE", "/nonexistent/w.duckdb", "its directory /nonexistent does not exist"),
    ],
)
def test_a_bad_setting_fails_when_its_module_loads_naming_it(module, name, value, message):
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}; from etl.settings import Settings; Settings.from_env()"],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", name: value},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert f"SettingError: {name}='{value}': {message}" in done.stderr


def test_executor_and_writers_are_checked(monkeypatch):
    from assets.definitions import executor, writers

    monkeypatch.setenv("ASHARE_EXECUTOR", "threads")
    with pytest.raises(env.SettingError, match="ASHARE_EXECUTOR='threads': expected one of in_process, multipro"):
        executor()
    monkeypatch.setenv("ASHARE_WRITERS", "0")
    with pytest.raises(env.SettingError, match="ASHARE_WRITERS='0': expected a whole number >= 1"):
        writers()


@pytest.mark.parametrize("value", ["2", "maybe"])
def test_a_flag_is_one_of_its_spellings(monkeypatch, value):
    monkeypatch.setenv("ASHARE_DATA_DOCS", value)
    from etl.gate.gx import data_docs_enabled

    with pytest.raises(env.SettingError, match=f"ASHARE_DATA_DOCS='{value}': expected 1 or 0"):
        data_docs_enabled()


def test_history_start_is_a_date_and_a_session(monkeypatch):
    monkeypatch.setenv("ASHARE_HISTORY_START", "2025/01/02")
    with pytest.raises(env.SettingError, match="ASHARE_HISTORY_START='2025/01/02': expected a date, YYYY-MM-DD"):
        Settings.from_env()
    monkeypatch.setenv("ASHARE_HISTORY_START", "2025-02-01")
    with pytest.raises(ValueError, match="ASHARE_HISTORY_START=2025-02-01: not an SSE session"):
        Settings.from_env()


def test_a_range_before_the_history_start_is_refused_with_the_setting_named():
    """It used to end in a Dagster CheckError deep in the run's launch."""
    import datetime as dt

    from assets.demo import checked_range

    with pytest.raises(SystemExit, match=r"--first 2024-12-02 is before the first partition, 2025-01-02 \(ASHARE_HIST"):
        checked_range("2024-12-02", "2025-02-05", dt.date(2025, 1, 2))
    assert checked_range("2025-01-02", "2025-02-05", dt.date(2025, 1, 2)) == ("2025-01-02", "2025-02-05")


def test_a_warehouse_that_is_a_fifo_or_a_directory_is_refused_not_opened(tmp_path):
    """A FIFO made `make demo` hang on DuckDB's open; now the setting is refused as the code loads, and the
    resource checks a path given to it the same way before the run's first step."""
    import os

    fifo = tmp_path / "w.duckdb"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-c", "from etl.settings import Settings; Settings.from_env()"],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "ASHARE_WAREHOUSE": str(fifo)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"SettingError: ASHARE_WAREHOUSE='{fifo}': a FIFO; expected a DuckDB file" in done.stderr
    from etl.env import SettingError
    from etl.settings import check_warehouse_file

    with pytest.raises(SettingError, match="a directory"):
        check_warehouse_file(str(tmp_path))
    check_warehouse_file(str(tmp_path / "new.duckdb"))  # none yet: made by the first run
