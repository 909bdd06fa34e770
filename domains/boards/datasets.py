"""Eastmoney concept and industry boards: the lists (snapshots), their members (snapshots) and K-lines."""

from __future__ import annotations

import datetime as dt

import polars as pl

from etl.datasets.record import Dataset, RawTable, Replay, Sample
from etl.input_specs import LOT_SHARES, Col, D, F, I, InputSpec, S
from etl.sources.gateway import SourceBlockedError
from etl.sources.live import refuse_past, ymd

BOARD_TYPES = ("concept", "industry")

# --- board lists -------------------------------------------------------------------------------------------

_LIST_QUOTES = (
    "排名",
    "最新价",
    "涨跌额",
    "涨跌幅",
    "总市值",
    "换手率",
    "上涨家数",
    "下跌家数",
    "领涨股票",
    "领涨股票-涨跌幅",
)


def _board_list(function: str) -> InputSpec:
    return InputSpec(
        function,
        (
            Col("排名", "rank", I),
            Col("板块名称", "board_name", S, nullable=False),
            Col("板块代码", "board_code", S),  # null in the sample for 26 legacy industry names
            Col("最新价", "last", F, "board index points"),
            Col("涨跌额", "change", F, "board index points"),
            Col("涨跌幅", "pct_change", F, "%"),
            Col("总市值", "market_cap_cny", F, "CNY"),
            Col("换手率", "turnover_pct", F, "%"),
            Col("上涨家数", "advancers", I),
            Col("下跌家数", "decliners", I),
            Col("领涨股票", "leader_name", S),
            Col("领涨股票-涨跌幅", "leader_pct_change", F, "%"),
        ),
        optional=frozenset(_LIST_QUOTES),
    )


def fetch_list(live, dataset, request):
    today = refuse_past(request.snapshot, "board lists")
    live.start_run()
    frame = live.call(dataset.function)
    if frame is None or len(frame) == 0:
        raise SourceBlockedError(f"{dataset.function} returned no boards")
    return [live.land_capture(dataset, frame, {}, today.isoformat())]


BOARD_LIST = RawTable(
    "raw.board_list",
    {"board_type": "VARCHAR NOT NULL", "snapshot_date": "DATE NOT NULL"},
    grain=("snapshot_date", "board_type", "board_name"),
)

# --- membership --------------------------------------------------------------------------------------------

_CONS_QUOTES = (
    "序号", "最新价", "涨跌幅", "涨跌额", "成交量", "成交额", "振幅", "最高", "最低", "今开", "昨收", "换手率",
    "市盈率-动态", "市净率",
)  # fmt: skip


def _board_cons(function: str) -> InputSpec:
    # `symbol` (the request argument), 板块代码 and snapshot_date are recorded beside akshare's columns.
    return InputSpec(
        function,
        (
            Col("snapshot_date", "snapshot_date", D, nullable=False),
            Col("symbol", "request_symbol", S),
            Col("板块代码", "board_code", S),
            Col("代码", "symbol", S, zfill=6, nullable=False),
            Col("名称", "name", S),
            Col("序号", "rank", I),
            Col("最新价", "last", F, "CNY"),
            Col("涨跌幅", "pct_change", F, "%"),
            Col("涨跌额", "change", F, "CNY"),
            Col("成交量", "volume_shares", I, "shares (akshare: 手)", factor=LOT_SHARES),
            Col("成交额", "amount_cny", F, "CNY"),
            Col("振幅", "amplitude_pct", F, "%"),
            Col("最高", "high", F, "CNY"),
            Col("最低", "low", F, "CNY"),
            Col("今开", "open", F, "CNY"),
            Col("昨收", "prev_close", F, "CNY"),
            Col("换手率", "turnover_pct", F, "%"),
            Col("市盈率-动态", "pe_dynamic", F),
            Col("市净率", "pb", F),
        ),
        optional=frozenset(_CONS_QUOTES),
    )


def fetch_members(live, dataset, request):
    """request.boards: the tracked boards resolved to BK codes (names break on stale caches, akshare #5771).
    A board that answers with no members is recorded as such; only all of them empty is an error."""
    import pandas as pd

    today = refuse_past(request.snapshot, "board membership")
    live.start_run()
    boards = [b for b in request.boards if b.board_type == dataset.labels["board_type"]]
    frames, empty = [], []
    for board in boards:
        frame = live.call(dataset.function, symbol=board.code)
        if frame is None or len(frame) == 0:
            empty.append(board.code)
            continue
        frames.append(frame.assign(symbol=board.code, 板块代码=board.code, snapshot_date=today))
    if not frames:
        if empty:
            raise SourceBlockedError(
                f"{dataset.function} returned no members for any of {len(empty)} boards ({empty[:5]})"
            )
        return []
    frame = pd.concat(frames, ignore_index=True)
    arguments = {"boards": [b.code for b in boards], "no_members": empty}
    return [live.land_capture(dataset, frame, arguments, today.isoformat())]


MEMBERSHIP = RawTable(
    "raw.board_membership_snapshot",
    {"board_type": "VARCHAR NOT NULL"},
    grain=("snapshot_date", "board_code", "symbol"),
    note="called with BK codes; live: today only",
)

# --- board K-lines -----------------------------------------------------------------------------------------


def _board_hist(function: str) -> InputSpec:
    return InputSpec(
        function,
        (
            Col("board_code", "board_code", S, nullable=False),  # the request argument, recorded
            Col("日期", "trade_date", D, nullable=False),
            Col("开盘", "open", F, "board index points"),
            Col("收盘", "close", F, "board index points"),
            Col("最高", "high", F, "board index points"),
            Col("最低", "low", F, "board index points"),
            Col("涨跌幅", "pct_change", F, "%"),
            Col("涨跌额", "change", F, "board index points"),
            Col("成交量", "volume_shares", I, "shares (akshare: 手)", factor=LOT_SHARES),
            Col("成交额", "amount_cny", F, "CNY"),
            Col("振幅", "amplitude_pct", F, "%"),
            Col("换手率", "turnover_pct", F, "%"),
        ),
    )


def fetch_bars(live, dataset, request):
    import pandas as pd

    days = sorted(request.days)
    live.start_run()
    boards = [b for b in request.boards if b.board_type == dataset.labels["board_type"]]
    frames = []
    for board in boards:
        frame = live.call(
            dataset.function, symbol=board.code, start_date=ymd(days[0]), end_date=ymd(days[-1]), **dataset.arguments
        )
        if frame is not None and len(frame):
            frames.append(frame.assign(board_code=board.code)[["board_code", *frame.columns]])
    if not frames:
        return []
    return live.land_by_day(
        dataset,
        pd.concat(frames, ignore_index=True),
        date_column="日期",
        days=days,
        arguments={"boards": [b.code for b in boards]},
    )


BOARD_BARS = RawTable(
    "raw.board_bars_daily",
    {"board_type": "VARCHAR NOT NULL", "partition_date": "DATE NOT NULL"},
    grain=("trade_date", "board_code"),
)
NO_BARS = "the recording has no board K-lines; the marts rebuild board indices from member bars"


def _board_datasets(board_type: str, snapshots: dict[str, dt.date | None], period: str) -> tuple[Dataset, ...]:
    labels = {"board_type": board_type}
    name = f"stock_board_{board_type}_name_em"
    cons = f"stock_board_{board_type}_cons_em"
    hist = f"stock_board_{board_type}_hist_em"
    snapshot_day = pl.col("snapshot_date")
    return (
        Dataset(
            name,
            _board_list(name),
            BOARD_LIST,
            kind="snapshot",
            replay=Replay.SNAPSHOTS,
            fetch=fetch_list,
            labels=labels,
            sample=Sample(None, snapshot=snapshots[name]),
        ),
        Dataset(
            cons,
            _board_cons(cons),
            MEMBERSHIP,
            kind="snapshot",
            replay=Replay.SNAPSHOTS,
            fetch=fetch_members,
            labels=labels,
            sample=Sample(snapshot_day),
        ),
        Dataset(
            hist,
            _board_hist(hist),
            BOARD_BARS,
            kind="range",
            replay=Replay.NONE,
            fetch=fetch_bars,
            arguments={"adjust": "", "period": period},
            labels=labels,
            note=NO_BARS,
        ),
    )


# the industry variant takes period="日k" where the concept one takes "daily" (akshare 1.19.5)
CONCEPT_LIST, CONCEPT_MEMBERS, CONCEPT_BARS = _board_datasets(
    "concept", {"stock_board_concept_name_em": dt.date(2025, 3, 10)}, "daily"
)
INDUSTRY_LIST, INDUSTRY_MEMBERS, INDUSTRY_BARS = _board_datasets(
    "industry", {"stock_board_industry_name_em": dt.date(2025, 3, 31)}, "日k"
)
