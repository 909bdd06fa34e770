"""Frames in akshare 1.19.5's exact shapes (column names and order, dtypes under pandas 3), and a stand-in
for the akshare module that serves them. Layouts: ../shared/docs/akshare-notes.md §3 and the installed source."""

import datetime as dt

import pandas as pd

from assets.resources import AkshareResource, MarketSourceResource

DAYS = [dt.date(2025, 1, 27), dt.date(2025, 2, 5)]
FLOW_BUCKETS = ("主力", "超大单", "大单", "中单", "小单")


def s(values):
    return pd.array(values, dtype="str")


EMPTY_ANSWER = "Length mismatch: Expected axis has 0 elements, new values have {} elements"


def zh_a_hist(symbol, dates, as_strings=False, volume_as_float=False, utc=False):
    """stock_zh_a_hist: 日期 date objects (object dtype), codes as str, numbers int64/float64. `utc`: the
    dates as instants at Shanghai midnight in UTC (16:00 the day before), as a feed with time zones sends.
    Every bar closes ~+5 % on a reference 0.5 × scale below it; a stock of SPOT_ROWS closes at the snapshot's
    昨收, so that the snapshot of the session after states the close held (as a real one does)."""
    n = len(dates)
    scale = HIST_CLOSE.get(symbol, 10.5) / 10.5

    def price(x):
        return [round(x * scale, 2)] * n

    volume = [1000.0 + i for i in range(n)] if volume_as_float else [1000 + i for i in range(n)]
    if utc:
        day = (
            pd.Series(pd.to_datetime([x.isoformat() for x in dates]))
            .dt.tz_localize("Asia/Shanghai")
            .dt.tz_convert("UTC")
        )
    else:
        day = [x.isoformat() for x in dates] if as_strings else list(dates)
    return pd.DataFrame(
        {
            "日期": day,
            "股票代码": s([symbol] * n),
            "开盘": price(10.0),
            "收盘": price(10.5),
            "最高": price(10.8),
            "最低": price(9.9),
            "成交量": volume,
            "成交额": [round(1.05e6 * scale, 2)] * n,
            "振幅": [9.0] * n,
            "涨跌幅": [round(100 * price(0.5)[0] / (price(10.5)[0] - price(0.5)[0]), 2)] * n,
            "涨跌额": price(0.5),
            "换手率": [1.2] * n,
        }
    )


def zh_a_spot(rows):
    """stock_zh_a_spot_em: 序号 int64, 代码/名称 str, every other column float64 (pd.to_numeric), suspended
    stocks NaN ("-" upstream). `rows`: (code, name, previous close, latest price) with latest None when
    suspended; sorted by % change as akshare sorts it."""
    import math

    nan = math.nan
    out = []
    for code, name, prev, last in rows:
        traded = last is not None
        change = round(last - prev, 2) if traded else nan
        out.append(
            {
                "代码": code,
                "名称": name,
                "最新价": last if traded else nan,
                "涨跌幅": round(100 * change / prev, 2) if traded else nan,
                "涨跌额": change,
                "成交量": 1000.0 if traded else nan,
                "成交额": 1000 * 100 * last if traded else nan,
                "振幅": round(100 * 0.02 * last / prev, 2) if traded else nan,
                "最高": round(max(prev, last) * 1.01, 2) if traded else nan,
                "最低": round(min(prev, last) * 0.99, 2) if traded else nan,
                "今开": prev if traded else nan,
                "昨收": prev,
                "量比": 1.1 if traded else nan,
                "换手率": 0.5 if traded else nan,
                "市盈率-动态": 8.5,
                "市净率": 0.9,
                "总市值": 2.0e11,
                "流通市值": 1.5e11,
                "涨速": 0.0 if traded else nan,
                "5分钟涨跌": 0.0 if traded else nan,
                "60日涨跌幅": 3.2,
                "年初至今涨跌幅": 4.1,
            }
        )
    frame = pd.DataFrame(out).sort_values("涨跌幅", ascending=False, na_position="last").reset_index(drop=True)
    frame.insert(0, "序号", range(1, len(frame) + 1))
    frame["代码"], frame["名称"] = s(frame["代码"]), s(frame["名称"])
    return frame


SPOT_ROWS = [
    ("000001", "平安银行", 11.0, 11.22),
    ("600519", "贵州茅台", 1408.26, 1420.0),
    ("601398", "工商银行", 6.8, 6.85),
]
HIST_CLOSE = {code: prev for code, _, prev, _ in SPOT_ROWS}
SUSPENDED = ("601288", "农业银行", 5.1, None)  # no trade all day: Eastmoney sends "-" for its prices


def board_names(boards):
    n = len(boards)
    return pd.DataFrame(
        {
            "排名": list(range(1, n + 1)),
            "板块名称": s([b[1] for b in boards]),
            "板块代码": s([b[0] for b in boards]),
            "最新价": [1000.0] * n,
            "涨跌额": [5.0] * n,
            "涨跌幅": [0.5] * n,
            "总市值": [1e12] * n,
            "换手率": [1.5] * n,
            "上涨家数": [10] * n,
            "下跌家数": [5] * n,
            "领涨股票": s(["平安银行"] * n),
            "领涨股票-涨跌幅": [3.2] * n,
        }
    )


def board_cons(members):
    n = len(members)
    return pd.DataFrame(
        {
            "序号": list(range(1, n + 1)),
            "代码": s([m[0] for m in members]),
            "名称": s([m[1] for m in members]),
            "最新价": [10.0] * n,
            "涨跌幅": [1.0] * n,
            "涨跌额": [0.1] * n,
            "成交量": [1000] * n,
            "成交额": [1e6] * n,
            "振幅": [2.0] * n,
            "最高": [10.2] * n,
            "最低": [9.9] * n,
            "今开": [9.95] * n,
            "昨收": [9.9] * n,
            "换手率": [0.8] * n,
            "市盈率-动态": [8.5] * n,
            "市净率": [0.9] * n,
        }
    )


def board_hist(dates):
    n = len(dates)
    return pd.DataFrame(
        {
            "日期": s([d.isoformat() for d in dates]),
            "开盘": [1000.0] * n,
            "收盘": [1010.0] * n,
            "最高": [1020.0] * n,
            "最低": [990.0] * n,
            "涨跌幅": [1.0] * n,
            "涨跌额": [10.0] * n,
            "成交量": [500000] * n,
            "成交额": [5e9] * n,
            "振幅": [3.0] * n,
            "换手率": [1.1] * n,
        }
    )


def _flows(prefix, n, raw=False):
    out = {}
    for bucket in FLOW_BUCKETS:
        amount = {"主力": 3e8, "超大单": 2e8, "大单": 1e8, "中单": -1e8, "小单": -2e8}[bucket]
        out[f"{prefix}{bucket}净流入-净额"] = (
            ["-" if raw and i == n - 1 else amount for i in range(n)] if raw else [amount] * n
        )
        out[f"{prefix}{bucket}净流入-净占比"] = [amount / 1e8] * n
    return out


def individual_rank(indicator, symbols):
    """stock_individual_fund_flow_rank: values are raw JSON (no to_numeric): floats mixed with "-"."""
    n = len(symbols)
    frame = {
        "序号": list(range(1, n + 1)),
        "代码": s(symbols),
        "名称": s(["名称"] * n),
        "最新价": [10.0] * n,
        f"{indicator}涨跌幅": [2.0] * n,
        **_flows(indicator, n, raw=True),
    }
    return pd.DataFrame(frame).astype({c: object for c in frame if "净流入" in c})


def sector_rank(indicator, names):
    """stock_sector_fund_flow_rank: names only (no board code, no top stock code); values raw JSON, "-" where
    the server has none (here the last board's ratios)."""
    n = len(names)
    flows = _flows(indicator, n)
    for key in [k for k in flows if k.endswith("净占比")]:
        flows[key] = [*flows[key][:-1], "-"]
    frame = pd.DataFrame(
        {
            "序号": list(range(1, n + 1)),
            "名称": s(names),
            f"{indicator}涨跌幅": [1.5] * n,
            **flows,
            f"{indicator}主力净流入最大股": s(["工商银行"] * n),
        }
    )
    return frame.astype({c: object for c in frame if "净占比" in c})


def individual_flow(dates):
    n = len(dates)
    return pd.DataFrame({"日期": list(dates), "收盘价": [10.0] * n, "涨跌幅": [1.0] * n, **_flows("", n)})


def market_flow(dates):
    n = len(dates)
    return pd.DataFrame(
        {
            "日期": list(dates),
            "上证-收盘价": [3250.0] * n,
            "上证-涨跌幅": [0.5] * n,
            "深证-收盘价": [10200.0] * n,
            "深证-涨跌幅": [0.8] * n,
            **_flows("", n),
        }
    )


def bond_rates(dates):
    """bond_zh_us_rate: a date on which one market did not publish has NaN in its columns."""
    n = len(dates)
    cn = {f"中国国债收益率{t}年": [y] * n for t, y in ((2, 1.25), (5, 1.45), (10, 1.62), (30, 1.85))}
    us = {f"美国国债收益率{t}年": [y] * n for t, y in ((2, 4.21), (5, 4.33), (10, 4.54), (30, 4.79))}
    return pd.DataFrame(
        {
            "日期": pd.to_datetime(list(dates)),
            **cn,
            "中国国债收益率10年-2年": [0.37] * n,
            "中国GDP年增率": [float("nan")] * n,
            **us,
            "美国国债收益率10年-2年": [0.33] * n,
            "美国GDP年增率": [float("nan")] * n,
        }
    )


def csindex_value(code, dates):
    """stock_zh_index_value_csindex: dates as date objects, the four ratios numeric."""
    n = len(dates)
    return pd.DataFrame(
        {
            "日期": list(dates),
            "指数代码": s([code] * n),
            "指数中文全称": s(["中证红利指数" if code == "000922" else "沪深300指数"] * n),
            "指数中文简称": s(["中证红利" if code == "000922" else "沪深300"] * n),
            "指数英文全称": s(["CSI Dividend Index" if code == "000922" else "CSI 300 Index"] * n),
            "指数英文简称": s(["CSI Dividend" if code == "000922" else "CSI 300"] * n),
            "市盈率1": [7.1 if code == "000922" else 12.5] * n,
            "市盈率2": [6.9 if code == "000922" else 12.3] * n,
            "股息率1": [5.6 if code == "000922" else 2.9] * n,
            "股息率2": [5.8 if code == "000922" else 3.0] * n,
        }
    )


def us_index(dates):
    """index_us_stock_sina: date objects, numbers as floats (volume too: to_numeric of JSON numbers)."""
    n = len(dates)
    return pd.DataFrame(
        {
            "date": list(dates),
            "open": [19000.0 + i for i in range(n)],
            "high": [19100.0 + i for i in range(n)],
            "low": [18900.0 + i for i in range(n)],
            "close": [19050.0 + i for i in range(n)],
            "volume": [5.0e9] * n,
            "amount": [0.0] * n,
        }
    )


def csindex(code, dates):
    n = len(dates)
    return pd.DataFrame(
        {
            "日期": list(dates),
            "指数代码": s([code] * n),
            "指数中文全称": s(["中证人工智能主题指数"] * n),
            "指数中文简称": s(["CS人工智"] * n),
            "指数英文全称": s(["CSI AI Index"] * n),
            "指数英文简称": s(["CSI AI"] * n),
            "开盘": [1500.0] * n,
            "最高": [1520.0] * n,
            "最低": [1490.0] * n,
            "收盘": [1510.0] * n,
            "涨跌": [10.0] * n,
            "涨跌幅": [0.67] * n,
            "成交量": [120] * n,
            "成交金额": [350] * n,
            "样本数量": [50] * n,
            "滚动市盈率": [45.2] * n,
        }
    )


def us_hist(dates):
    n = len(dates)
    return pd.DataFrame(
        {
            "日期": s([d.isoformat() for d in dates]),
            "开盘": [140.0] * n,
            "收盘": [118.42] * n,
            "最高": [141.0] * n,
            "最低": [116.7] * n,
            "成交量": [818_830_000] * n,
            "成交额": [1.0e11] * n,
            "振幅": [17.4] * n,
            "涨跌幅": [-16.97] * n,
            "涨跌额": [-24.2] * n,
            "换手率": [3.3] * n,
        }
    )


def fhps():
    """stock_fhps_em: dates as date objects, and NaT where a plan is not carried out yet (000001: a board
    proposal without record or ex-date), as akshare's pd.to_datetime(..., errors="coerce").dt.date leaves them."""
    nat = pd.NaT
    return pd.DataFrame(
        {
            "代码": s(["601398", "600519", "000001"]),
            "名称": s(["工商银行", "贵州茅台", "平安银行"]),
            "送转股份-送转总比例": [0, 0, 0],
            "送转股份-送转比例": [0, 0, 0],
            "送转股份-转股比例": [0, 0, 0],
            "现金分红-现金分红比例": [1.434, 238.82, 2.36],
            "现金分红-股息率": [0.0221, 0.0163, 0.021],
            "每股收益": [0.97, 34.28, 1.23],
            "每股净资产": [10.25, 185.6, 22.1],
            "每股公积金": [0.42, 1.09, 4.2],
            "每股未分配利润": [3.9, 160.2, 9.8],
            "净利润同比增长": [-0.1, 15.4, 2.1],
            "总股本": [356_406_257_089.0, 1_256_197_800.0, 19_405_918_198.0],
            "预案公告日": [dt.date(2024, 8, 31), dt.date(2024, 8, 9), dt.date(2024, 8, 16)],
            "股权登记日": [dt.date(2024, 12, 13), dt.date(2024, 12, 19), nat],
            "除权除息日": [dt.date(2024, 12, 16), dt.date(2024, 12, 20), nat],
            "方案进度": s(["实施分配", "实施分配", "董事会预案"]),
            "最新公告日期": [dt.date(2024, 12, 10), dt.date(2024, 12, 14), dt.date(2024, 8, 16)],
        }
    )


def cctv(date):
    return pd.DataFrame(
        {
            "date": s([date, date]),
            "title": s(["<b>國務院</b>常務會議", "人工智能产业发展"]),
            "content": s(["李強主持召開國務院常務會議&nbsp;研究人工智能", "ＡＩ大模型DeepSeek引发关注"]),
        }
    )


def global_em():
    return pd.DataFrame(
        {
            "标题": s(["英伟达市值蒸发近6000亿美元", "贵州茅台发布分红公告"]),
            "摘要": s(["DeepSeek冲击算力需求预期，英伟达股价暴跌17%", "600519 派息"]),
            "发布时间": s(["2025-01-28 06:05:00", "2025-02-05 14:30:00"]),
            "链接": s(["https://example.invalid/a", "https://example.invalid/b"]),
        }
    )


# Every board the shipped themes and events name is in the real lists; the marts refuse unknown names.
CONCEPTS = [
    ("BK1188", "DeepSeek概念"),
    ("BK0579", "云计算"),
    ("BK0854", "华为概念"),
    ("BK0655", "网络安全"),
    ("BK0696", "国产软件"),
    ("BK1128", "CPO概念"),
    ("BK1168", "铜缆高速连接"),
    ("BK1140", "央企改革"),
]
INDUSTRIES = [
    ("BK0475", "银行"),
    ("BK0474", "保险"),
    ("BK0477", "酿酒行业"),
    ("BK0437", "煤炭行业"),
    ("BK0428", "电力行业"),
    ("BK0464", "石油行业"),
    ("BK0456", "家电行业"),
]


class FakeAkshare:
    """Stands in for the akshare module: records calls, replays scripted answers (a list is consumed one
    answer per call; an exception is raised)."""

    filters_dates = True  # as the servers do: bars of the requested span only

    def __init__(self, answers=None):
        self.calls = []
        self.answers = answers or {}

    def _scripted(self, key, default):
        answer = self.answers.get(key, default)
        if isinstance(answer, list):
            answer = answer.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def stock_zh_a_hist(self, symbol, period, start_date, end_date, adjust, timeout=None):
        self.calls.append(("stock_zh_a_hist", symbol, start_date, end_date, adjust))
        answer = self._scripted(symbol, "full")
        if answer == "empty":
            return pd.DataFrame()
        asked = [d for d in DAYS if start_date <= d.strftime("%Y%m%d") <= end_date] if self.filters_dates else DAYS
        frame = zh_a_hist(
            symbol, asked, as_strings=(answer == "strings"), volume_as_float=(answer == "floats"), utc=(answer == "utc")
        )
        if answer == "stray":  # the server adds bars for a closed day and a session nobody asked for
            frame = pd.concat(
                [frame, zh_a_hist(symbol, [dt.date(2025, 1, 29), dt.date(2025, 2, 6)])], ignore_index=True
            )
        return frame

    def stock_zh_a_spot_em(self):
        self.calls.append(("stock_zh_a_spot_em",))
        return self._scripted("spot", zh_a_spot(SPOT_ROWS))

    def stock_zh_index_daily_em(self, symbol, start_date, end_date):
        self.calls.append(("stock_zh_index_daily_em", symbol, start_date, end_date))
        return pd.DataFrame(
            {
                "date": s([x.isoformat() for x in DAYS]),
                "open": [1.0, 2.0],
                "close": [1.5, 2.5],
                "high": [2.0, 3.0],
                "low": [0.5, 1.5],
                "volume": [100, 200],
                "amount": [1e6, 2e6],
            }
        )

    def stock_info_a_code_name(self):
        self.calls.append(("stock_info_a_code_name",))
        return pd.DataFrame(
            {"code": s(["000001", "600519", "601398"]), "name": s(["平安银行", "贵州茅台", "工商银行"])}
        )

    def stock_board_concept_name_em(self):
        self.calls.append(("stock_board_concept_name_em",))
        return board_names(CONCEPTS)

    def stock_board_industry_name_em(self):
        self.calls.append(("stock_board_industry_name_em",))
        return board_names(INDUSTRIES)

    def stock_board_concept_cons_em(self, symbol):
        self.calls.append(("stock_board_concept_cons_em", symbol))
        return board_cons([("000001", "平安银行"), ("600519", "贵州茅台")])

    def stock_board_industry_cons_em(self, symbol):
        self.calls.append(("stock_board_industry_cons_em", symbol))
        return board_cons([("601398", "工商银行")])

    def stock_board_concept_hist_em(self, symbol, period, start_date, end_date, adjust):
        self.calls.append(("stock_board_concept_hist_em", symbol, period))
        return board_hist(DAYS)

    def stock_board_industry_hist_em(self, symbol, start_date, end_date, period, adjust):
        self.calls.append(("stock_board_industry_hist_em", symbol, period))
        if self._scripted(("stock_board_industry_hist_em", symbol), "full") == "empty":
            raise ValueError(EMPTY_ANSWER.format(11))  # akshare renames an empty frame
        return board_hist(DAYS)

    def stock_individual_fund_flow_rank(self, indicator):
        self.calls.append(("stock_individual_fund_flow_rank", indicator))
        return individual_rank(indicator, ["000001", "600519"])

    def stock_sector_fund_flow_rank(self, indicator, sector_type):
        self.calls.append(("stock_sector_fund_flow_rank", indicator, sector_type))
        names = {"行业资金流": ["银行"], "概念资金流": ["DeepSeek概念"], "地域资金流": ["上海板块"]}[sector_type]
        return sector_rank(indicator, names)

    def stock_individual_fund_flow(self, stock, market):
        self.calls.append(("stock_individual_fund_flow", stock, market))
        if self._scripted(("stock_individual_fund_flow", stock), "full") == "empty":
            raise ValueError(EMPTY_ANSWER.format(15))
        return individual_flow(DAYS)

    def stock_market_fund_flow(self):
        self.calls.append(("stock_market_fund_flow",))
        return market_flow(DAYS)

    def bond_zh_us_rate(self, start_date="19901219"):
        self.calls.append(("bond_zh_us_rate", start_date))
        return bond_rates(DAYS)

    def stock_zh_index_value_csindex(self, symbol="H30374"):
        self.calls.append(("stock_zh_index_value_csindex", symbol))
        return csindex_value(symbol, DAYS)

    def index_us_stock_sina(self, symbol=".INX"):
        self.calls.append(("index_us_stock_sina", symbol))
        return us_index([dt.date(2025, 1, 24), dt.date(2025, 1, 27)])

    def stock_zh_index_hist_csindex(self, symbol, start_date, end_date):
        self.calls.append(("stock_zh_index_hist_csindex", symbol))
        if self._scripted(("stock_zh_index_hist_csindex", symbol), "full") == "empty":
            raise ValueError(EMPTY_ANSWER.format(16))
        return csindex(symbol, DAYS)

    def stock_us_hist(self, symbol, period, start_date, end_date, adjust):
        self.calls.append(("stock_us_hist", symbol))
        answer = self._scripted(symbol, "full")
        return pd.DataFrame() if answer == "empty" else us_hist([dt.date(2025, 1, 24), dt.date(2025, 1, 27)])

    def stock_fhps_em(self, date):
        self.calls.append(("stock_fhps_em", date))
        answer = self._scripted(("stock_fhps_em", date), "full")
        if answer == "no pages":  # a period nobody has reported: zero pages, an empty frame renamed
            raise ValueError(EMPTY_ANSWER.format(18))
        if answer == "null":  # the server's result is null: akshare indexes None
            raise TypeError("'NoneType' object is not subscriptable")
        return fhps()

    def news_cctv(self, date):
        self.calls.append(("news_cctv", date))
        return cctv(date)

    def stock_info_global_em(self):
        self.calls.append(("stock_info_global_em",))
        return global_em()


_SERVING: dict[str, FakeAkshare] = {}


class FakeAkshareResource(AkshareResource):
    """The akshare resource serving a FakeAkshare of this process. Dagster rebuilds resources from their
    config before a run, so the fake is registered under a key rather than held by the resource."""

    fake_key: str

    @classmethod
    def serving(cls, fake: FakeAkshare) -> "FakeAkshareResource":
        _SERVING[str(id(fake))] = fake
        return cls(fake_key=str(id(fake)))

    def api(self) -> FakeAkshare:
        return _SERVING[self.fake_key]


def live_source(landing, fake: FakeAkshare) -> MarketSourceResource:
    """The market source in live mode, its akshare calls answered by `fake`."""
    return MarketSourceResource(kind="akshare", live_landing=str(landing), akshare=FakeAkshareResource.serving(fake))


class HistoryFake(FakeAkshare):
    """akshare over any span: a bar for every SSE session between start_date and end_date, as the servers
    answer for history. 601398 (ICBC) answers only from LISTED on, as a stock listed inside the range would."""

    LISTED = dt.date(2016, 1, 28)

    @staticmethod
    def _sessions(start_date: str, end_date: str) -> list[dt.date]:
        from etl.market import sessions_between

        ymd = lambda text: dt.datetime.strptime(text, "%Y%m%d").date()  # noqa: E731
        return sessions_between(ymd(start_date), ymd(end_date))

    def stock_zh_a_hist(self, symbol, period, start_date, end_date, adjust, timeout=None):
        self.calls.append(("stock_zh_a_hist", symbol, start_date, end_date, adjust))
        days = self._sessions(start_date, end_date)
        if symbol == "601398":
            days = [d for d in days if d >= self.LISTED]
        return zh_a_hist(symbol, days) if days else pd.DataFrame()

    def stock_zh_index_daily_em(self, symbol, start_date, end_date):
        self.calls.append(("stock_zh_index_daily_em", symbol, start_date, end_date))
        days = self._sessions(start_date, end_date)
        n = len(days)
        closes = [3000.0 + 10 * i for i in range(n)]
        return pd.DataFrame(
            {
                "date": s([x.isoformat() for x in days]),
                "open": closes,
                "close": closes,
                "high": closes,
                "low": closes,
                "volume": [100] * n,
                "amount": [1e6] * n,
            }
        )
