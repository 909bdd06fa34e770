"""Backfill from any start, live: 2016 sessions through Dagster with the live source fed akshare-shaped
frames, in a process whose partitions start on 2015-12-01, across a stock's first day and the first day
akshare can read the CCTV news."""

import json
import os
import subprocess
import sys


def test_a_live_backfill_of_2016_crosses_first_days_without_failing(tmp_path):
    env = {**os.environ, "ASHARE_HISTORY_START": "2015-12-01", "ASHARE_SOURCE": "akshare"}
    out = subprocess.run(
        [sys.executable, "-m", "tests.history_backfill", str(tmp_path / "w.duckdb"), str(tmp_path / "landing")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["success"]
    sessions = 10  # 2016-01-25 .. 2016-02-05
    # each stock from its own first day: 601398 answers from 2016-01-28 on, and nothing before is an error
    assert got["bars"] == [
        ["000001", "2016-01-25", sessions],
        ["600519", "2016-01-25", sessions],
        ["601398", "2016-01-28", 7],
    ]
    assert got["index_sessions"] == sessions
    # broadcasts before 2016-02-03 are not covered: never asked for; those from then on are
    assert got["news_calls"] == ["20160203", "20160204"]
