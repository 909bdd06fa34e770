"""The dataset registry (etl/datasets/) is the one place a landed dataset is declared: these tests hold the
rest of the project to it, so a dataset declared in part fails here rather than late in a run."""

import datetime as dt
import inspect
import re

import pytest

from etl.datasets import Replay, dataset, datasets, feeding, raw_tables
from etl.landing import LandingZone
from etl.settings import SAMPLE_LANDING
from etl.sources import Request
from etl.sources.recorded import RecordedSource
from tests.akshare_frames import FakeAkshare


def test_every_dataset_is_declared_whole():
    names = [d.name for d in datasets()]
    assert len(names) == len(set(names))
    for d in datasets():
        assert d.raw.name.startswith("raw."), d.name
        assert d.kind in ("range", "snapshot"), d.name
        if d.replay is Replay.NONE:
            assert d.note and d.sample is None, f"{d.name}: say why the recording has none"
        else:
            assert d.sample is not None, f"{d.name}: replayed from the sample, but no sample rule"


def test_variants_of_one_raw_table_agree_and_are_told_apart():
    raw_tables()  # raises when two datasets of one table disagree on its columns
    for table, _ in raw_tables():
        variants = feeding(table.name)
        if len(variants) > 1:
            labels = {tuple(sorted(v.labels.items())) for v in variants}
            assert len(labels) == len(variants), f"{table.name}: its datasets need distinct labels"
            assert set(variants[0].labels) <= set(table.extra), f"{table.name}: labels must be raw columns"


def test_every_function_has_an_akshare_shaped_fake_with_the_real_signature():
    """The live tests feed every registered function through tests/akshare_frames.py; a fake whose
    parameters differ from akshare 1.19.5's would let a wrong keyword argument pass."""
    import akshare

    for d in datasets():
        assert hasattr(FakeAkshare, d.function), f"tests/akshare_frames.py has no fake {d.function}"
        real = set(inspect.signature(getattr(akshare, d.function)).parameters)
        fake = set(inspect.signature(getattr(FakeAkshare, d.function)).parameters) - {"self"}
        assert fake <= real, f"{d.function}: the fake takes {sorted(fake - real)}, akshare does not"


def test_the_shipped_sample_holds_exactly_the_datasets_with_a_sample_rule():
    zone = LandingZone(SAMPLE_LANDING)
    shipped = {function for function, _ in zone.manifest()}
    assert shipped == {d.name for d in datasets() if d.sample is not None}


@pytest.mark.parametrize(
    "name, span",
    [("stock_zh_a_hist", "2024-12-02 .. 2025-03-31"), ("stock_zh_index_hist_csindex", "2022-01-04 .. 2025-12-31")],
)
def test_the_recorded_source_names_the_days_it_lacks(name, span):
    source = RecordedSource(LandingZone(SAMPLE_LANDING))
    with pytest.raises(Exception, match=rf"no {name} for 2026-06-01 \(it covers {re.escape(span)}\)"):
        source.land(dataset(name), Request(days=(dt.date(2025, 1, 27), dt.date(2026, 6, 1))))


def test_the_recorded_source_replays_each_rule():
    source = RecordedSource(LandingZone(SAMPLE_LANDING))
    day = dt.date(2025, 1, 27)
    assert [x.partition for x in source.land(dataset("stock_zh_a_hist"), Request(days=(day,)))] == ["2025-01-27"]
    held = source.land(dataset("news_cctv"), Request(days=(day, dt.date(2025, 3, 20))))
    assert [x.partition for x in held] == ["2025-01-27"]  # the CCTV recording stops in February
    assert len(source.land(dataset("stock_info_a_code_name"))) == 1
    assert source.land(dataset("stock_fhps_em")) == []
    snapshots = source.land(dataset("stock_sector_fund_flow_rank"))
    assert len(snapshots) == 6
    one = source.land(
        dataset("stock_sector_fund_flow_rank"), Request(snapshot=dt.date.fromisoformat(snapshots[0].partition))
    )
    assert [x.partition for x in one] == [snapshots[0].partition]
