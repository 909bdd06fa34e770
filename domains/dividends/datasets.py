"""Dividend plans per report period (stock_fhps_em): cash per share, yield, record and ex dates."""

from __future__ import annotations

import datetime as dt

from etl.datasets.record import Dataset, RawTable, Replay
from etl.input_specs import Col, D, F, InputSpec, S
from etl.market import report_deadline, shanghai_today

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


def fetch_dividends(live, dataset, request):
    """request.periods: report periods as YYYYMMDD. A period whose reports are not all due yet may have
    nothing: it is skipped and said so (live.skipped_periods); an old period with nothing is an error."""
    landed = []
    live.skipped_periods = {}
    live.start_run()
    for period in request.periods:
        day = dt.datetime.strptime(period, "%Y%m%d").date()
        due = report_deadline(day) >= shanghai_today()
        try:
            frame = live.call(dataset.function, date=period)
        except TypeError:  # akshare indexes a null `result`: the server has nothing for the period
            if not due:
                raise
            frame = None
        if frame is None or len(frame) == 0:
            live.skipped_periods[period] = (
                f"not published yet (reports due by {report_deadline(day)})" if due else "no dividend plans returned"
            )
            continue
        landed.append(live.land_capture(dataset, frame.assign(report_period=day), {"date": period}, day.isoformat()))
    return landed


DIVIDENDS = Dataset(
    "stock_fhps_em",
    STOCK_FHPS_EM,
    RawTable("raw.dividends", grain=("report_period", "symbol")),
    kind="snapshot",
    replay=Replay.NONE,
    fetch=fetch_dividends,
    note="not in the recording: stock_fhps_em is live only",
)
