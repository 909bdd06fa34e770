"""The bench's synthetic zone (tools/scale_zone.py): what makes its sessions judgeable as real ones."""

from etl.landing import ManifestRow
from tools.scale_zone import in_step, ping_pong


def rows(function: str, sizes: dict[str, int]) -> dict:
    return {
        (function, day): ManifestRow(function, day, f"{function}/{day}.parquet", {}, "", "", n, "", "recorded")
        for day, n in sizes.items()
    }


def test_datasets_landing_in_one_raw_table_walk_the_same_real_sessions():
    # the forward-adjusted bars cover fewer stocks before January (stable from 01-02); the unadjusted ones
    # are stable throughout, and have a session the other lacks
    qfq = rows("qfq", {"2024-12-30": 3900, "2025-01-02": 5290, "2025-01-03": 5292, "2025-01-06": 5292})
    unadjusted = rows("none", {"2024-12-30": 1916, "2025-01-02": 1947, "2025-01-03": 1947, "2025-01-06": 1947})
    unadjusted |= rows("none", {"2025-01-07": 1948})
    news = rows("news", {"2024-12-30": 10, "2025-01-02": 40})
    raw_of = {"qfq": "raw.stock_bars_daily", "none": "raw.stock_bars_daily", "news": "raw.news_cctv"}
    walks = in_step(raw_of, {**qfq, **unadjusted, **news})
    days = {name: [r.partition for r in walk] for name, walk in walks.items()}
    assert days["qfq"] == days["none"] == ["2025-01-02", "2025-01-03", "2025-01-06"]
    assert days["news"] == ["2024-12-30", "2025-01-02"]  # its own walk, whatever its size
    order = ping_pong(3, 6)
    assert order == [0, 1, 2, 1, 0, 1]  # each target session takes the same index into both walks
