"""Checked replay: every landing file is read against its manifest row, and every manifest line is parsed
strictly; each problem names the file (and line). Captures are never overwritten."""

import json
import shutil

import polars as pl
import pytest

from domains.stocks.datasets import BARS_QFQ
from etl.landing import LandingError, LandingZone
from etl.settings import SAMPLE_LANDING
from etl.sources import Request
from etl.sources.recorded import RecordedSource

DAY = "2025-02-05"


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(
        SAMPLE_LANDING,
        root,
        ignore=shutil.ignore_patterns("stock_info_global_em", "news_cctv", "stock_board_*", "stock_*_rank"),
    )
    return root


def read_bars(root):
    import datetime as dt

    source = RecordedSource(LandingZone(root))
    return source.read(source.land(BARS_QFQ, Request(days=(dt.date.fromisoformat(DAY),)))[0])


def test_the_shipped_sample_matches_its_manifest():
    zone = LandingZone(SAMPLE_LANDING)
    rows = zone.manifest()
    assert len(rows) == len(list(SAMPLE_LANDING.glob("*/*.parquet")))
    for row in list(rows.values())[::50]:
        assert zone.read_row(row).height == row.rows


def test_a_file_changed_behind_the_manifest_fails_with_its_path(copy):
    path = copy / "stock_zh_a_hist" / f"{DAY}.parquet"
    frame = pl.read_parquet(path)
    frame.with_columns(pl.col("成交额") * 1.04).write_parquet(path)
    with pytest.raises(LandingError, match=f"{path}: sha256 .* differs from the manifest"):
        read_bars(copy)


def test_a_truncated_file_fails_with_its_path(copy):
    path = copy / "stock_zh_a_hist" / f"{DAY}.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LandingError, match=str(path)):
        read_bars(copy)


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "line {n}: not JSON"),
        (json.dumps({"function": "x"}), "line {n}: missing keys"),
        (
            json.dumps(
                {
                    "function": "x",
                    "partition": "p",
                    "path": "x/p.parquet",
                    "arguments": {},
                    "fetched_at": "2025",
                    "akshare_version": "1",
                    "rows": 1,
                    "sha256": "0",
                    "source": "recorded",
                    "colour": "red",
                }
            ),
            r"line {n}: unknown keys \['colour'\]",
        ),
    ],
)
def test_a_bad_manifest_line_fails_naming_file_and_line(copy, line, message):
    path = copy / "_manifest.jsonl"
    n = len(path.read_text(encoding="utf-8").splitlines()) + 1  # the line appended below
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    with pytest.raises(LandingError, match=f"_manifest.jsonl {message.format(n=n)}"):
        read_bars(copy)


def test_a_missing_manifest_is_an_error(copy):
    (copy / "_manifest.jsonl").unlink()
    with pytest.raises(LandingError, match="manifest missing"):
        read_bars(copy)


def test_a_file_without_a_manifest_row_is_not_replayed(copy):
    (copy / "_manifest.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(LandingError, match=r"\.parquet: not listed in .*_manifest.jsonl"):
        read_bars(copy)


def test_a_capture_dropped_in_beside_listed_ones_fails_naming_it(copy):
    extra = copy / "stock_zh_a_hist" / "2025-02-08.parquet"  # a Saturday: no capture is listed
    shutil.copy(copy / "stock_zh_a_hist" / f"{DAY}.parquet", extra)
    with pytest.raises(LandingError, match=f"{extra}: not listed in"):
        read_bars(copy)


def rewrite_manifest_row(root, of_function, of_partition, **changes):
    """The manifest with one row of (function, partition) changed: what a tampered copy holds."""
    path = root / "_manifest.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        row = json.loads(line)
        if row["function"] == of_function and row["partition"] == of_partition:
            lines[i] = json.dumps({**row, **changes}, ensure_ascii=False)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return i + 1
    raise AssertionError(f"no row for {of_function} {of_partition}")


def test_a_manifest_path_outside_the_landing_root_is_refused_naming_the_line(copy, tmp_path):
    # a doctored day outside the root, with its own correct checksum: read once, it was published
    outside = tmp_path / "elsewhere.parquet"
    frame = pl.read_parquet(copy / "stock_zh_a_hist" / f"{DAY}.parquet")
    frame.with_columns(pl.col("成交额") * 10).write_parquet(outside)
    from etl.landing import sha256_of

    line = rewrite_manifest_row(copy, "stock_zh_a_hist", DAY, path="../elsewhere.parquet", sha256=sha256_of(outside))
    with pytest.raises(LandingError, match=f"_manifest.jsonl line {line}: path '../elsewhere.parquet' is not"):
        read_bars(copy)


def test_a_function_folder_that_links_out_of_the_landing_root_is_refused(copy, tmp_path):
    # the folder is checked once per parse, not once per line: a link swapped in is still found
    outside = tmp_path / "elsewhere"
    shutil.move(copy / "stock_zh_a_hist", outside)
    (copy / "stock_zh_a_hist").symlink_to(outside, target_is_directory=True)
    with pytest.raises(LandingError, match=r"_manifest.jsonl line \d+: path 'stock_zh_a_hist/.*' is not .* inside"):
        read_bars(copy)


def test_a_partition_name_that_climbs_out_is_refused_naming_the_line(copy):
    line = rewrite_manifest_row(copy, "stock_zh_a_hist", DAY, partition="../../etc/passwd")
    with pytest.raises(LandingError, match=f"line {line}: partition '../../etc/passwd' is not a partition name"):
        read_bars(copy)
    zone = LandingZone(copy)
    with pytest.raises(LandingError, match="refusing to land"):
        zone.path_for("stock_zh_a_hist", "../../etc/passwd")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"rows": "5304"}, "rows is str '5304', expected int"),
        ({"rows": True}, "rows is bool True, expected int"),
        ({"fetched_at": "yesterday"}, "fetched_at 'yesterday' is not an ISO-8601 timestamp"),
        ({"fetched_at": "2025-02-05T08:00:00"}, "fetched_at '2025-02-05T08:00:00' is not an ISO-8601"),
        ({"sha256": "abc"}, "sha256 'abc' is not 64 hex digits"),
        ({"status": "maybe"}, "status 'maybe', expected one of"),
    ],
)
def test_a_manifest_field_of_the_wrong_kind_fails_naming_file_line_and_field(copy, changes, message):
    line = rewrite_manifest_row(copy, "stock_zh_a_hist", DAY, **changes)
    with pytest.raises(LandingError, match=f"_manifest.jsonl line {line}: {message}"):
        read_bars(copy)


def test_a_capture_replaced_by_a_link_to_dev_zero_is_refused_not_read(copy):
    path = copy / "stock_zh_a_hist" / f"{DAY}.parquet"
    path.unlink()
    path.symlink_to("/dev/zero")
    with pytest.raises(LandingError, match=f"{path}: a symbolic link"):
        read_bars(copy)


def test_a_capture_replaced_by_a_named_pipe_is_refused_not_read(copy):
    import os

    path = copy / "stock_zh_a_hist" / f"{DAY}.parquet"
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(LandingError, match=f"{path}: not a regular file"):
        read_bars(copy)


def test_an_oversized_capture_is_refused_before_it_is_hashed(copy, monkeypatch):
    import etl.landing

    monkeypatch.setattr(etl.landing, "MAX_CAPTURE_BYTES", 1000)
    with pytest.raises(LandingError, match="bytes, over the 1000 a capture may have"):
        read_bars(copy)


def test_a_manifest_replaced_by_a_pipe_is_refused(copy):
    import os

    (copy / "_manifest.jsonl").unlink()
    os.mkfifo(copy / "_manifest.jsonl")
    with pytest.raises(LandingError, match="_manifest.jsonl: not a regular file"):
        read_bars(copy)


def test_a_new_capture_never_overwrites_the_last_and_a_rejected_one_is_moved_aside(tmp_path):
    zone = LandingZone(tmp_path)
    first = zone.write(
        pl.DataFrame({"a": [1, 2]}), function="f", partition=DAY, arguments={}, source="akshare", akshare_version="1"
    )
    second = zone.write(
        pl.DataFrame({"a": [1]}), function="f", partition=DAY, arguments={}, source="akshare", akshare_version="1"
    )
    assert first.path != second.path and (tmp_path / first.path).exists()
    assert zone.read("f", DAY)["a"].to_list() == [1]  # the newest capture is current
    moved = zone.reject(second, "refused by a test")
    assert moved.path.startswith("_rejected/") and (tmp_path / moved.path).exists()
    assert zone.read("f", DAY)["a"].to_list() == [1, 2]  # the one before is current again
    assert zone.partitions("f") == [DAY]


def test_a_manifest_line_may_leave_out_the_fields_that_have_a_default(copy):
    path = copy / "_manifest.jsonl"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["status"] == "landed" and not row["note"]:
            del row["status"], row["note"]
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_bars(copy).height > 5000


def test_several_files_load_as_each_would_and_a_bad_one_is_named(copy):
    import datetime as dt

    from etl.datasets import load
    from etl.input_specs import InputSpecError
    from etl.landing import sha256_of

    source = RecordedSource(LandingZone(copy))
    days = tuple(dt.date.fromisoformat(d) for d in ("2025-01-27", DAY, "2025-02-06"))
    landed = source.land(BARS_QFQ, Request(days=days))
    together = load(source, landed)  # one batch: the three files share their columns and types
    one_by_one = pl.concat([load(source, [item]) for item in landed], how="diagonal_relaxed")
    assert together.height == sum(item.capture.rows for item in landed) > 0
    assert together.equals(one_by_one)

    # the middle file keeps its columns and types but has a row without a date: still one batch, which fails,
    # and the error names that file
    path = copy / "stock_zh_a_hist" / f"{DAY}.parquet"
    frame = pl.read_parquet(path)
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("日期")).alias("日期")
    ).write_parquet(path)
    rewrite_manifest_row(copy, "stock_zh_a_hist", DAY, sha256=sha256_of(path))
    with pytest.raises(InputSpecError, match=f"nulls in non-nullable columns: trade_date.*in {path}"):
        load(source, source.land(BARS_QFQ, Request(days=days)))
