"""Two pipeline runs writing one raw table of a lake at once (issue 22, case 1). Each proposes, then waits at
a barrier until the other has proposed too, so that both proposals are pending before either gate runs: the
interleaving that lost rows when a raw table had one proposal (the second superseded the first unseen, and
the first run's gate settled the second's rows). Proposals are the run's own now: each gate settles its own,
and every row is counted (raw = staging + quarantine for what was applied, the rest in rejected.*)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.settings import PROJECT_ROOT

pytestmark = pytest.mark.lake

RACER = """
import os, sys, time, pathlib
import etl.gate.proposals as proposals

barrier, real = pathlib.Path(sys.argv[3]), proposals.propose


def propose(*args, **kwargs):
    rows = real(*args, **kwargs)
    (barrier / str(os.getpid())).touch()
    deadline = time.monotonic() + 120
    while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    return rows


proposals.propose = propose
from tests.conftest import materialize_range

result = materialize_range(
    os.environ["ASHARE_WAREHOUSE"], sys.argv[1], sys.argv[2],
    selection=["raw/index_bars_daily", "staging/index_bars_daily"], raise_on_error=False,
)
gate = next(e for e in result.get_asset_check_evaluations() if e.asset_key.path[0] == "staging")
print("RESULT", result.success, gate.metadata["raw_rows"].value, flush=True)
"""


def race(lake_env: dict, tmp_path: Path, ranges: list[tuple[str, str]]) -> list[tuple[bool, int]]:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {**os.environ, **lake_env}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, first, last, str(barrier)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first, last in ranges
    ]
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=300)
        line = next((x for x in out.splitlines() if x.startswith("RESULT")), None)
        assert racer.returncode == 0 and line, err[-3000:]
        _, success, raw_rows = line.split()
        if success != "True":
            print(err[-6000:])
        outcomes.append((success == "True", int(raw_rows)))
    return outcomes


def counted(lake) -> dict:
    q = lambda sql: lake.query(sql).rows()  # noqa: E731
    return {
        "raw": dict(q("SELECT partition_date, count(*) FROM raw.index_bars_daily GROUP BY 1 ORDER BY 1")),
        "staged": dict(q("SELECT trade_date, count(*) FROM staging.index_bars_daily GROUP BY 1 ORDER BY 1")),
        "quarantined": q("SELECT count(*) FROM quality.quarantine WHERE table_name = 'staging.index_bars_daily'")[0][0],
        "rejected": q("SELECT count(*) FROM rejected.index_bars_daily")[0][0],
        "candidates": q("SELECT count(*) FROM candidate.index_bars_daily")[0][0],
        "proposals": q("SELECT count(*) FROM candidate.proposals")[0][0],
    }


D5, D6 = dt.date(2025, 2, 5), dt.date(2025, 2, 6)


def test_two_runs_racing_on_two_partitions_both_land_every_row(lake, lake_env, tmp_path):
    """It used to end with one day's rows gone and both runs failing on the other's rows."""
    outcomes = race(lake_env, tmp_path, [("2025-02-05", "2025-02-05"), ("2025-02-06", "2025-02-06")])
    assert [ok for ok, _ in outcomes] == [True, True]
    got = counted(lake)
    assert set(got["raw"]) == {D5, D6} and got["raw"] == got["staged"]
    assert [n for _, n in outcomes] == [got["raw"][D5], got["raw"][D6]]  # each gate judged its own rows
    assert (got["quarantined"], got["rejected"], got["candidates"], got["proposals"]) == (0, 0, 0, 0)


def test_two_runs_racing_on_one_partition_each_settle_their_own(lake, lake_env, tmp_path):
    """It used to end with both runs reporting success and one run's rows nowhere: its gate found no
    proposal (the other gate had settled the only one)."""
    outcomes = race(lake_env, tmp_path, [("2025-02-05", "2025-02-05")] * 2)
    got = counted(lake)
    assert [ok for ok, _ in outcomes] == [True, True]
    assert got["raw"] == got["staged"] and set(got["raw"]) == {D5}
    assert [n for _, n in outcomes] == [got["raw"][D5]] * 2  # each gate judged the rows its run proposed
    assert (got["quarantined"], got["rejected"], got["candidates"], got["proposals"]) == (0, 0, 0, 0)
