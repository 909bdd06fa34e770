"""One explicit input spec per akshare function (akshare 1.19.5 layouts; ../shared/docs/akshare-notes.md §3).

Units are converted to canonical ones here: volume in shares, amounts in CNY (or USD for US bars, named so),
changes and ratios in percent, dividend yield as a fraction. `optional` lists columns akshare returns that the
recorded sample omits (no source for them); missing optional columns become nulls, never a silent rename.
"""

import polars as pl

from etl.input_specs import LOT_SHARES, Col, InputSpec

F, I, S, D = pl.Float64, pl.Int64, pl.String, pl.Date  # noqa: E741  (dtype initials, read down the input specs)

STOCK_ZH_A_HIST = InputSpec(
    "stock_zh_a_hist",
    (
        Col("日期", "trade_date", D, nullable=False),
        Col("股票代码", "symbol", S, zfill=6, nullable=False),
        Col("开盘", "open", F, "CNY"),
        Col("收盘", "close", F, "CNY"),
        Col("最高", "high", F, "CNY"),
        Col("最低", "low", F, "CNY"),
        Col("成交量", "volume_shares", I, "shares (akshare: 手 = 100 shares)", factor=LOT_SHARES),
        Col("成交额", "amount_cny", F, "CNY"),
        Col("振幅", "amplitude_pct", F, "%"),
        Col("涨跌幅", "pct_change", F, "%"),
        Col("涨跌额", "change", F, "CNY"),
        Col("换手率", "turnover_pct", F, "%"),
    ),
)

# akshare returns no index code column: the request parameter is recorded as `symbol` (e.g. "sh000001").
STOCK_ZH_INDEX_DAILY_EM = InputSpec(
    "stock_zh_index_daily_em",
    (
        Col("symbol", "index_symbol", S, nullable=False),
        Col("date", "trade_date", D, nullable=False),
        Col("open", "open", F, "index points"),
        Col("close", "close", F, "index points"),
        Col("high", "high", F, "index points"),
        Col("low", "low", F, "index points"),
        Col("volume", "volume_shares", I, "shares (akshare: 手 = 100 shares)", factor=LOT_SHARES),
        Col("amount", "amount_cny", F, "CNY"),
    ),
)

STOCK_INFO_A_CODE_NAME = InputSpec(
    "stock_info_a_code_name",
    (
        Col("code", "symbol", S, zfill=6, nullable=False),
        Col("name", "name", S, nullable=False),
    ),
)


# --- boards ---------------------------------------------------------------------------------------------

_BOARD_QUOTES = (
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
        optional=frozenset(_BOARD_QUOTES),
    )


STOCK_BOARD_CONCEPT_NAME_EM = _board_list("stock_board_concept_name_em")
STOCK_BOARD_INDUSTRY_NAME_EM = _board_list("stock_board_industry_name_em")

_CONS_QUOTES = (
    "序号",
    "最新价",
    "涨跌幅",
    "涨跌额",
    "成交量",
    "成交额",
    "振幅",
    "最高",
    "最低",
    "今开",
    "昨收",
    "换手率",
    "市盈率-动态",
    "市净率",
)


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


STOCK_BOARD_CONCEPT_CONS_EM = _board_cons("stock_board_concept_cons_em")
STOCK_BOARD_INDUSTRY_CONS_EM = _board_cons("stock_board_industry_cons_em")


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


STOCK_BOARD_CONCEPT_HIST_EM = _board_hist("stock_board_concept_hist_em")
STOCK_BOARD_INDUSTRY_HIST_EM = _board_hist("stock_board_industry_hist_em")

# --- fund flows -----------------------------------------------------------------------------------------

BUCKETS = (("主力", "main"), ("超大单", "super_large"), ("大单", "large"), ("中单", "medium"), ("小单", "small"))


def _flows(prefix: str = "", ratios: bool = True) -> tuple[Col, ...]:
    cols = []
    for zh, en in BUCKETS:
        cols.append(Col(f"{prefix}{zh}净流入-净额", f"{en}_net_inflow_cny", F, "CNY"))
        if ratios:
            cols.append(Col(f"{prefix}{zh}净流入-净占比", f"{en}_net_inflow_pct", F, "% of turnover"))
    return tuple(cols)


_RATIO_COLS = frozenset(f"今日{zh}净流入-净占比" for zh, _ in BUCKETS)

# Rank snapshots: akshare prefixes every column with the window (今日/3日/5日/10日). The landing zone keeps
# one layout: the prefix folded to 今日 and the window in an `indicator` column (as in the recording).
STOCK_INDIVIDUAL_FUND_FLOW_RANK = InputSpec(
    "stock_individual_fund_flow_rank",
    (
        Col("snapshot_date", "snapshot_date", D, nullable=False),
        Col("indicator", "indicator", S, nullable=False),
        Col("序号", "rank", I),
        Col("代码", "symbol", S, zfill=6, nullable=False),
        Col("名称", "name", S),
        Col("最新价", "last", F, "CNY"),
        Col("今日涨跌幅", "pct_change", F, "%"),
        *_flows("今日"),
    ),
    optional=frozenset({"序号", "最新价", "今日涨跌幅"} | _RATIO_COLS),
)

STOCK_SECTOR_FUND_FLOW_RANK = InputSpec(
    "stock_sector_fund_flow_rank",
    (
        Col("snapshot_date", "snapshot_date", D, nullable=False),
        Col("indicator", "indicator", S, nullable=False),
        Col("sector_type", "sector_type", S, nullable=False),
        Col("序号", "rank", I),
        Col("名称", "board_name", S, nullable=False),
        Col("板块代码", "board_code", S),  # the recording carries it; live resolves names to codes in staging
        Col("今日涨跌幅", "pct_change", F, "%"),
        *_flows("今日"),
        Col("今日主力净流入最大股", "top_inflow_stock_name", S),
        Col("今日主力净流入最大股代码", "top_inflow_stock_symbol", S, zfill=6),
    ),
    optional=frozenset({"序号", "板块代码", "今日主力净流入最大股代码"}),
)

STOCK_INDIVIDUAL_FUND_FLOW = InputSpec(
    "stock_individual_fund_flow",
    (
        Col("symbol", "symbol", S, zfill=6, nullable=False),  # the request argument, recorded
        Col("日期", "trade_date", D, nullable=False),
        Col("收盘价", "close", F, "CNY"),
        Col("涨跌幅", "pct_change", F, "%"),
        *_flows(),
    ),
)

STOCK_MARKET_FUND_FLOW = InputSpec(
    "stock_market_fund_flow",
    (
        Col("日期", "trade_date", D, nullable=False),
        Col("上证-收盘价", "sse_close", F, "index points"),
        Col("上证-涨跌幅", "sse_pct_change", F, "%"),
        Col("深证-收盘价", "szse_close", F, "index points"),
        Col("深证-涨跌幅", "szse_pct_change", F, "%"),
        *_flows(),
    ),
)

# --- CSI indices, US bars, dividends --------------------------------------------------------------------

STOCK_ZH_INDEX_HIST_CSINDEX = InputSpec(
    "stock_zh_index_hist_csindex",
    (
        Col("日期", "trade_date", D, nullable=False),
        Col("指数代码", "index_code", S, nullable=False),
        Col("指数中文全称", "name_full", S),
        Col("指数中文简称", "index_name", S),
        Col("指数英文全称", "name_en_full", S),
        Col("指数英文简称", "name_en", S),
        Col("开盘", "open", F, "index points"),
        Col("最高", "high", F, "index points"),
        Col("最低", "low", F, "index points"),
        Col("收盘", "close", F, "index points"),
        Col("涨跌", "change", F, "index points"),
        Col("涨跌幅", "pct_change", F, "%"),
        Col("成交量", "volume_shares", I, "shares (akshare: 万手 = 1,000,000 shares)", factor=1_000_000),
        Col("成交金额", "amount_cny", F, "CNY (akshare: 亿元)", factor=100_000_000),
        Col("样本数量", "constituents", I),
        Col("滚动市盈率", "pe_ttm", F),
    ),
)

STOCK_US_HIST = InputSpec(
    "stock_us_hist",
    (
        Col("symbol", "symbol", S, nullable=False),  # Eastmoney code, e.g. 105.NVDA (the request argument)
        Col("日期", "us_trade_date", D, nullable=False),
        Col("开盘", "open", F, "USD"),
        Col("收盘", "close", F, "USD"),
        Col("最高", "high", F, "USD"),
        Col("最低", "low", F, "USD"),
        Col("成交量", "volume_shares", I, "shares"),
        Col("成交额", "amount_usd", F, "USD"),
        Col("振幅", "amplitude_pct", F, "%"),
        Col("涨跌幅", "pct_change", F, "%"),
        Col("涨跌额", "change", F, "USD"),
        Col("换手率", "turnover_pct", F, "%"),
    ),
)

STOCK_FHPS_EM = InputSpec(
    "stock_fhps_em",
    (
        Col("report_period", "report_period", D, nullable=False),  # the request argument, recorded
        Col("代码", "symbol", S, zfill=6, nullable=False),
        Col("名称", "name", S),
        Col("送转股份-送转总比例", "bonus_transfer_per10", F, "shares per 10 shares"),
        Col("送转股份-送转比例", "bonus_per10", F, "shares per 10 shares"),
        Col("送转股份-转股比例", "transfer_per10", F, "shares per 10 shares"),
        Col(
            "现金分红-现金分红比例",
            "cash_dividend_per_share_cny",
            F,
            "CNY per share (akshare: per 10 shares)",
            factor=0.1,
        ),
        Col("现金分红-股息率", "dividend_yield_ratio", F, "fraction"),
        Col("每股收益", "eps_cny", F, "CNY"),
        Col("每股净资产", "bvps_cny", F, "CNY"),
        Col("每股公积金", "reserve_per_share_cny", F, "CNY"),
        Col("每股未分配利润", "retained_per_share_cny", F, "CNY"),
        Col("净利润同比增长", "net_profit_yoy_pct", F, "%"),
        Col("总股本", "total_shares", F, "shares"),
        Col("预案公告日", "plan_date", D),
        Col("股权登记日", "record_date", D),
        Col("除权除息日", "ex_date", D),
        Col("方案进度", "plan_status", S),
        Col("最新公告日期", "latest_notice_date", D),
    ),
)

# --- news -----------------------------------------------------------------------------------------------

NEWS_CCTV = InputSpec(
    "news_cctv",
    (
        Col("date", "broadcast_date", D, nullable=False),
        Col("title", "title", S),
        Col("content", "content", S),
        Col("url", "url", S),  # present in the recording; newer akshare layouts may omit it
    ),
    optional=frozenset({"url"}),
)

STOCK_INFO_GLOBAL_EM = InputSpec(
    "stock_info_global_em",
    (
        Col("标题", "title", S),
        Col("摘要", "summary", S),
        # parsed per item in staging (etl/transforms/news.py): one bad stamp quarantines its item, not the poll
        Col("发布时间", "published_local", S, "Asia/Shanghai 'YYYY-MM-DD HH:MM:SS'"),
        Col("链接", "url", S),
        Col("来源", "outlets", S),  # the recording's extra column (Readhub outlets)
    ),
    optional=frozenset({"来源"}),
)

INPUT_SPECS: dict[str, InputSpec] = {
    c.function: c
    for c in (
        STOCK_ZH_A_HIST,
        STOCK_ZH_INDEX_DAILY_EM,
        STOCK_INFO_A_CODE_NAME,
        STOCK_BOARD_CONCEPT_NAME_EM,
        STOCK_BOARD_INDUSTRY_NAME_EM,
        STOCK_BOARD_CONCEPT_CONS_EM,
        STOCK_BOARD_INDUSTRY_CONS_EM,
        STOCK_BOARD_CONCEPT_HIST_EM,
        STOCK_BOARD_INDUSTRY_HIST_EM,
        STOCK_INDIVIDUAL_FUND_FLOW_RANK,
        STOCK_SECTOR_FUND_FLOW_RANK,
        STOCK_INDIVIDUAL_FUND_FLOW,
        STOCK_MARKET_FUND_FLOW,
        STOCK_ZH_INDEX_HIST_CSINDEX,
        STOCK_US_HIST,
        STOCK_FHPS_EM,
        NEWS_CCTV,
        STOCK_INFO_GLOBAL_EM,
    )
}
