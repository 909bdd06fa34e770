"""`make bench-live`: what one session of the scheduled jobs asks of akshare's sites, on a simulated clock.

    python -m tools.bench_live [--stocks 5400] [--missed-day]

`snapshot_job` then `daily_job` run for 2025-02-05 in this process, into a fresh warehouse, with the live
source (the real code: etl/sources/live.py, every dataset's fetch, the gates) calling a fake akshare. The
clock stands at 16:40 CST that day. The fake answers in akshare 1.19.5's shapes (tests/akshare_frames.py)
and, for every call, makes the HTTP requests the real function makes: it asks the process's real
HostRateLimiter (etl/sources/gateway.py, the gateway's per-host intervals) for each one, on a simulated clock
that also advances by a response time per request and by akshare's own sleeps (0.5-1.5 s between the pages of
a paginated Eastmoney list). Requests per call come from akshare's source (REQUESTS below, with the sizes
of the market they page over). `--missed-day`: the snapshot is refused (drifted columns), and the session
falls back to per-stock history, as a day repaired after the fact would.

Prints a Markdown table: per akshare function, calls, requests, hosts and simulated source seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import tempfile
from pathlib import Path

SESSION = dt.date(2025, 2, 5)
RESPONSE_S = 0.3  # a response's time on the wire, assumed: the limiter's intervals dominate anyway
PAGE = 100  # Eastmoney clist pages (pz=100)

# Sizes of what the real functions page over, late 2025 (Eastmoney's lists): boards and their members.
CONCEPT_BOARDS, INDUSTRY_BOARDS, REGIONS = 480, 90, 31
MEMBERS = {"concept": 150, "industry": 60}  # typical members per board (cons pages = members / 100)
DIVIDEND_ROWS = 5_000  # stock_fhps_em rows per report period (pageSize 500)
BOND_ROWS = 9_000  # bond_zh_us_rate rows since 1990 (ps 500, no date filter upstream)
BSE_STOCKS, BSE_PAGE = 270, 20
CCTV_STORIES = 14


def paged(rows: int, size: int = PAGE, first_twice: bool = False) -> int:
    """Requests of a list fetched page by page: one per page (the first asked twice by some functions)."""
    return math.ceil(rows / size) + (1 if first_twice else 0)


def requests_for(function: str, stocks: int, **kw) -> list[tuple[str, int]]:
    """(url, requests) the real akshare 1.19.5 function makes for one call (its source, as cited)."""
    return request_table(stocks, **kw)[function]


def request_table(stocks: int, **kw) -> dict[str, list[tuple[str, int]]]:
    em = "https://push2.eastmoney.com/api/qt/clist/get"
    his = "https://push2his.eastmoney.com/api/qt/stock/kline/get"
    table = {
        # utils/func.py fetch_paginated_data: page 1, then pages 2..n
        "stock_zh_a_spot_em": [("https://82.push2.eastmoney.com/api/qt/clist/get", paged(stocks))],
        "stock_zh_a_hist": [(his, 1)],
        # stock/stock_info.py: SSE main board and STAR (one query each), SZSE's xlsx, BSE page 1 then 0..n-1
        "stock_info_a_code_name": [
            ("https://query.sse.com.cn/sseQuery/commonQuery.do", 2),
            ("https://www.szse.cn/api/report/ShowReport", 1),
            ("https://www.bse.cn/nqxxController/nqxxCnzq.do", paged(BSE_STOCKS, BSE_PAGE, first_twice=True)),
        ],
        "stock_board_concept_name_em": [("https://79.push2.eastmoney.com/api/qt/clist/get", paged(CONCEPT_BOARDS))],
        "stock_board_industry_name_em": [("https://17.push2.eastmoney.com/api/qt/clist/get", paged(INDUSTRY_BOARDS))],
        "stock_board_concept_cons_em": [("https://29.push2.eastmoney.com/api/qt/clist/get", paged(MEMBERS["concept"]))],
        "stock_board_industry_cons_em": [
            ("https://29.push2.eastmoney.com/api/qt/clist/get", paged(MEMBERS["industry"]))
        ],
        "stock_board_concept_hist_em": [("https://91.push2his.eastmoney.com/api/qt/stock/kline/get", 1)],
        "stock_board_industry_hist_em": [("http://7.push2his.eastmoney.com/api/qt/stock/kline/get", 1)],
        # stock/stock_fund_em.py: one call for the page count, then pages 1..n
        "stock_individual_fund_flow_rank": [(em, paged(stocks, first_twice=True))],
        "stock_sector_fund_flow_rank": [
            (
                em,
                paged(
                    {"行业资金流": INDUSTRY_BOARDS, "概念资金流": CONCEPT_BOARDS}.get(kw.get("sector_type"), REGIONS),
                    first_twice=True,
                ),
            )
        ],
        "stock_individual_fund_flow": [("https://push2his.eastmoney.com/api/qt/stock/fflow/daykline/get", 1)],
        "stock_market_fund_flow": [("https://push2his.eastmoney.com/api/qt/stock/fflow/daykline/get", 1)],
        "stock_zh_index_daily_em": [(his, 1)],
        "stock_zh_index_hist_csindex": [("https://www.csindex.com.cn/csindex-home/perf/index-perf", 1)],
        "stock_zh_index_value_csindex": [("https://oss-ch.csindex.com.cn/static/html/csindex/public/uploads", 1)],
        "stock_us_hist": [("https://63.push2his.eastmoney.com/api/qt/stock/kline/get", 1)],
        "index_us_stock_sina": [("https://finance.sina.com.cn/staticdata/us/.INX", 1)],
        # bond/bond_em.py: page 1 for the page count, then pages 1..n (the whole history every call)
        "bond_zh_us_rate": [("https://datacenter.eastmoney.com/api/data/get", paged(BOND_ROWS, 500, first_twice=True))],
        # stock_feature/stock_fhps_em.py: the same, per report period
        "stock_fhps_em": [
            ("https://datacenter-web.eastmoney.com/api/data/v1/get", paged(DIVIDEND_ROWS, 500, first_twice=True))
        ],
        # news/news_cctv.py: the day's page, then one per story
        "news_cctv": [("https://tv.cctv.com/lm/xwlb/day", 1), ("https://tv.cctv.com/2025/02/05", CCTV_STORIES)],
        "stock_info_global_em": [("https://np-weblist.eastmoney.com/comm/web/getFastNewsList", 1)],
    }
    return table


class SimClock:
    def __init__(self):
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)


def market_fake(stocks: list[tuple[str, str, float]], clock: SimClock, limiter, drifted: bool):
    """tests/akshare_frames.FakeAkshare serving a whole market, every call making its requests."""
    from tests.akshare_frames import FakeAkshare, zh_a_spot

    rng = random.Random(20250205)

    class MarketFake(FakeAkshare):
        def __init__(self):
            super().__init__()
            self.usage = {}

        def request(self, function: str, **kw) -> None:
            started = clock.now()
            self.usage.setdefault(function, {"calls": 0, "requests": 0, "hosts": set(), "seconds": 0.0})
            for url, n in requests_for(function, len(stocks), **kw):
                for page in range(n):
                    if function == "stock_zh_a_spot_em" and page:
                        clock.advance(rng.uniform(0.5, 1.5))  # akshare's own sleep between pages
                    limiter.wait(url)
                    clock.advance(RESPONSE_S)
                    self.usage[function]["hosts"].add(url.split("/")[2])
                self.usage[function]["requests"] += n
            self.usage[function]["calls"] += 1
            self.usage[function]["seconds"] += clock.now() - started

        def stock_info_a_code_name(self):
            import pandas as pd

            from tests.akshare_frames import s

            self.request("stock_info_a_code_name")
            return pd.DataFrame({"code": s([c for c, _, _ in stocks]), "name": s([n for _, n, _ in stocks])})

        def stock_zh_a_spot_em(self):
            self.request("stock_zh_a_spot_em")
            rows = [(c, n, p, round(p * (1 + rng.uniform(-0.02, 0.02)), 2)) for c, n, p in stocks]
            frame = zh_a_spot(rows)
            if drifted:  # upstream moved 昨收 one field later: akshare labels by position
                order = list(frame.columns)
                order[12], order[13] = order[13], order[12]
                frame = frame[order]
            return frame

        def stock_zh_a_hist(self, symbol, period, start_date, end_date, adjust, timeout=None):
            self.request("stock_zh_a_hist")
            return super().stock_zh_a_hist(symbol, period, start_date, end_date, adjust, timeout)

        def stock_sector_fund_flow_rank(self, indicator, sector_type):
            self.request("stock_sector_fund_flow_rank", sector_type=sector_type)
            return super().stock_sector_fund_flow_rank(indicator, sector_type)

    def counted(name):
        def call(self, *args, **kwargs):
            self.request(name)
            return getattr(FakeAkshare, name)(self, *args, **kwargs)

        return call

    for name in request_table(len(stocks)):  # every function the table knows, unless overridden above
        if hasattr(FakeAkshare, name) and name not in vars(MarketFake):
            setattr(MarketFake, name, counted(name))
    return MarketFake()


def universe(n: int) -> list[tuple[str, str, float]]:
    """n A-share codes over the listing boards' prefixes (SSE main and STAR, SZSE main and ChiNext, BSE), in
    the proportions of the market, each with a previous close."""
    rng = random.Random(n)
    shares = {"600": 0.17, "601": 0.05, "603": 0.1, "605": 0.02, "688": 0.11, "000": 0.09, "001": 0.01,
              "002": 0.17, "003": 0.01, "300": 0.18, "301": 0.04, "920": 0.05}  # fmt: skip
    codes = [f"{p}{i:03d}" for p, share in shares.items() for i in range(min(999, round(n * share)) + 1)][:n]
    return [(c, f"股票{c}", round(rng.uniform(3, 80), 2)) for c in codes]


def run(stocks: int, missed_day: bool) -> str:
    import dagster as dg

    import etl.market
    from assets.definitions import defs
    from assets.partitions import session_tags
    from assets.resources import MarketSourceResource, WarehouseResource
    from assets.schedules import daily_job, snapshot_job
    from etl.market import SHANGHAI
    from etl.sources import gateway
    from etl.sources.gateway import HostRateLimiter
    from tests.akshare_frames import FakeAkshareResource

    clock = SimClock()
    tmp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    fake = None
    lines = []
    graph = defs.resolve_asset_graph()
    assets = list(defs.assets)
    warm_up = dg.AssetSelection.assets(
        *(
            dg.AssetKey(k.split("/"))
            for k in ("raw/stock_universe", "staging/stock_universe", "staging/stock_name_history")
        )
    )
    # Not counted: the warehouse as a daily schedule leaves it the evening before (2025-02-04, a closed day):
    # the universe and every tracked board's members captured then, the session before (01-27) run. Then the
    # session, counted.
    for day, counted in ((dt.date(2025, 2, 4), False), (SESSION, True)):
        limiter = HostRateLimiter(clock=clock.now, sleep=clock.advance)
        gateway._SHARED[:] = [limiter]  # the process's limiter (shared_limiter), on the simulated clock
        now = dt.datetime.combine(day, dt.time(16, 40), SHANGHAI)
        etl.market.shanghai_now = lambda now=now: now
        fake = market_fake(universe(stocks), clock, limiter, drifted=missed_day and counted)
        resources = {
            "warehouse": WarehouseResource(path=str(tmp / "ashare.duckdb")),
            "market_source": MarketSourceResource(
                kind="akshare", live_landing=str(tmp / "landing"), akshare=FakeAkshareResource.serving(fake)
            ),
        }
        jobs = [(snapshot_job.selection, {}), (daily_job.selection, session_tags(day.isoformat(), day.isoformat()))]
        if not counted:
            jobs = [
                (warm_up, {}),
                (snapshot_job.selection, {}),
                (daily_job.selection, session_tags("2025-01-27", "2025-01-27")),
            ]
        start = clock.now()
        for selection, tags in jobs:
            keys = list(selection.resolve(graph))
            before = clock.now()
            result = dg.materialize(assets, selection=keys, resources=resources, tags=tags, raise_on_error=False)
            failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
            if counted:
                name = "snapshot_job" if selection is snapshot_job.selection else "daily_job"
                lines.append(
                    f"{name}: {'succeeded' if result.success else 'FAILED ' + ', '.join(failed)}, "
                    f"{clock.now() - before:.0f} simulated s"
                )
            elif not result.success:
                sys.exit(f"bench-live: the warm-up run failed: {failed}")
        elapsed = clock.now() - start
    total_requests = sum(u["requests"] for u in fake.usage.values())
    rows = sorted(fake.usage.items(), key=lambda kv: -kv[1]["requests"])
    out = [
        f"## bench-live: {stocks:,} stocks, session {SESSION}{' (snapshot refused: missed day)' if missed_day else ''}",
        "",
        "| akshare function | calls | requests | hosts | simulated s |",
        "|---|---:|---:|---|---:|",
        *(
            f"| {fn} | {u['calls']} | {u['requests']} | {', '.join(sorted(u['hosts']))} | {u['seconds']:.0f} |"
            for fn, u in rows
        ),
        f"| **total** | {sum(u['calls'] for _, u in rows)} | **{total_requests}** | "
        f"{len({h for _, u in rows for h in u['hosts']})} hosts | **{elapsed:.0f}** ({elapsed / 60:.1f} min) |",
        *typical_line(fake.usage, elapsed),
        "",
        *lines,
        "",
        "Per host (the rate limiter's own count): "
        + ", ".join(f"{h} {c['requests']} (waited {c['waited_s']:.0f} s)" for h, c in limiter.tally().items()),
    ]
    return "\n".join(out)


def typical_line(usage: dict, elapsed: float) -> list[str]:
    """The CCTV broadcasts of a session are every evening since the session before: nine for 2025-02-05, after
    the Spring Festival closure, one on an ordinary weekday. The same run with one broadcast, derived."""
    cctv = usage.get("news_cctv")
    if not cctv or cctv["calls"] <= 1:
        return []
    per = cctv["requests"] / cctv["calls"]
    extra_requests = per * (cctv["calls"] - 1)
    extra_s = cctv["seconds"] / cctv["calls"] * (cctv["calls"] - 1)
    total = sum(u["requests"] for u in usage.values()) - extra_requests
    return [
        "",
        f"{cctv['calls']} CCTV broadcasts belong to this session (the closure before it); after one evening's "
        f"broadcast (an ordinary weekday) the same run is {total:.0f} requests and "
        f"{(elapsed - extra_s) / 60:.1f} simulated min (derived: {per:.0f} requests a broadcast).",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stocks", type=int, default=5400)
    parser.add_argument("--missed-day", action="store_true")
    args = parser.parse_args(argv)
    print(run(args.stocks, args.missed_day))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
