"""The progress line of long command-line runs: it folds a real run's records into steps, partitions and
chunks, and stays silent when the output is not a terminal."""

import dagster as dg

import assets.chunks
from assets.definitions import all_assets
from assets.progress import RunProgress, shown
from assets.resources import MarketSourceResource, WarehouseResource
from tests.conftest import BAR_ASSETS, FIRST, LAST, range_tags


def test_a_runs_records_fold_into_steps_partitions_and_chunks(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
    monkeypatch.setattr(assets.chunks, "CHUNK_SESSIONS", 3)  # 7 sessions: three chunks, each logged
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            all_assets,
            resources={
                "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
                "market_source": MarketSourceResource(),
            },
            tags=range_tags(FIRST, LAST),
            selection=BAR_ASSETS,
            instance=instance,
        )
        assert result.success
        state, chunks = RunProgress(), set()
        for record in instance.get_records_for_run(result.run_id).records:
            state.add(record.event_log_entry)
            chunks.update(state.running.values())
        # 2025-01-22 .. 2025-02-07: seven sessions (four before the Spring Festival closure, three after) in two
        # month partitions; the chunk loops still go by sessions
        months = 2
        partitioned = 2  # raw and staging stock bars; the universe and name history are snapshots
        assert state.steps_done == len(BAR_ASSETS) and not state.steps_failed and not state.running
        assert state.planned == partitioned * months + len(BAR_ASSETS) - partitioned
        assert state.materialised == state.planned
        assert {"chunk 1/3", "chunk 2/3", "chunk 3/3"} <= chunks  # the chunk loops reported where they were
        assert "partitions 7/7" in state.line() and "steps 5 done" in state.line()


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(capfd):
    class Untouchable:
        is_ephemeral = False

        def __getattr__(self, name):
            raise AssertionError(f"the progress line read the instance ({name}) with no terminal to draw on")

    with shown(Untouchable(), {"ashare/invocation": "x"}, "warehouse_job"):
        pass
    out, err = capfd.readouterr()
    assert out == "" and err == ""
