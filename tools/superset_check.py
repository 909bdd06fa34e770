"""`make superset-test`: the dividend-vs-AI dashboard in Superset, in headless Debian chromium (Playwright).

Builds marts over the DeepSeek and Spring Festival window (2025-01-17..2025-02-21, ~35 s) in a temporary
directory, or takes a published file (`--marts`, e.g. the demo's warehouse/bi/marts.duckdb). Sets up a
Superset with its own state there, imports the bundle, starts it (the start must take under a minute),
logs in, opens the dashboard and asserts, with every request off the machine refused:

- every chart on the dashboard asked for its data and got rows, with no error (the chart-data API's answers);
- every chart drew: a canvas for the ECharts ones, rows for the tables; no error or empty-state tile;
- the leaderboard shows what the mart holds: the best ten concept boards of 2025-02-05 equal a DuckDB query
  of the same file, and after choosing 2025-01-27 in the Session filter, that day's ten;
- two more sessions published while Superset serves (only on its own scratch marts) are on the next load;
- no request tried to leave the machine;
- a logged-in admin cannot reach the machine through Superset's HTTP API: SQL Lab refuses to run anything
  (it is off), and a virtual dataset whose SQL reads a host file, writes one, attaches the pipeline's warehouse
  or turns DuckDB's external access back on is refused by the locked connection (no file is written);
- an admin who edits that connection to unlock DuckDB, or adds a duckdb:///:memory: database, still cannot:
  every DuckDB engine is locked by superset_config.py, and no other DuckDB database opens.

Screenshots: warehouse/ui/superset_dashboard.png (the whole dashboard), superset_leaderboard_2025-01-27.png.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import urllib.parse
from pathlib import Path

import duckdb

from etl.local_server import free_port
from etl.superset import bundle, service
from tools import window
from tools.ui_check import CHROMIUM, FLAGS, OUT

WINDOW = ("2025-01-17", "2025-02-21")
REPUBLISH = ("2025-02-24", "2025-02-25")  # two sessions more, published while Superset serves the file
START_LIMIT_S = 60
BEST_TEN = """SELECT board_name, round(ew_return_pct, 2) FROM board_daily
WHERE trade_date = CAST($day AS DATE) AND board_type = 'concept' AND rank_in_type <= 10 ORDER BY rank_in_type"""


def best_ten(marts: Path, day: str) -> list[tuple[str, str]]:
    con = duckdb.connect(str(marts), read_only=True)
    try:
        return [(name, f"{pct:.2f}") for name, pct in con.execute(BEST_TEN, {"day": day}).fetchall()]
    finally:
        con.close()


def table_rows(page, title: str, expected: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(board_name, ew_return_pct) as the dashboard's table with this title shows them, once they equal
    `expected` or after 30 s: a table redraws a moment after its data arrives."""
    holder = page.locator('[data-test="chart-grid-component"]').filter(has_text=title)
    deadline = time.monotonic() + 30
    while True:
        cells = [row.locator("td") for row in holder.locator("tbody tr").all()]
        shown = [(c.nth(1).inner_text().strip(), c.nth(2).inner_text().strip()) for c in cells]
        if shown == expected or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(500)


class Answers:
    """The chart-data API's answers, by chart id; the filter's own value query has no slice_id."""

    def __init__(self) -> None:
        self.by_chart: dict[int, tuple[int, list]] = {}

    def __call__(self, response) -> None:
        if "/api/v1/chart/data" not in response.url:
            return
        query = urllib.parse.parse_qs(urllib.parse.urlparse(response.url).query)
        if "form_data" not in query:
            return
        chart = json.loads(query["form_data"][0]).get("slice_id")
        try:
            body = response.json()
            results = body.get("result") or [{"error": body.get("message") or body.get("errors") or "no result"}]
        except Exception:  # noqa: BLE001 - an HTML error page is an answer too
            results = [{"error": response.text()[:300]}]
        self.by_chart[chart] = (response.status, results)


def check(page, base: str, marts: Path, charts: dict[str, str]) -> list[str]:
    problems = []
    user, password = service.credentials()
    page.goto(f"{base}/login/")
    page.locator("#username").fill(user)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/superset/welcome/**", timeout=60_000)

    answers = load(page, base + bundle.dashboard_path(), len(charts))
    page.wait_for_timeout(2_000)  # ECharts animates its first draw
    page.screenshot(path=str(OUT / "superset_dashboard.png"), full_page=True)

    if len(answers.by_chart) != len(charts):
        problems.append(f"{len(answers.by_chart)} of {len(charts)} charts asked for data within 120 s")
    for chart, (status, results) in sorted(answers.by_chart.items()):
        errors = [r.get("error") for r in results if r.get("error")]
        rows = sum(r.get("rowcount") or 0 for r in results)
        if status != 200 or errors or rows == 0:
            problems.append(f"chart {chart}: HTTP {status}, {rows} rows, errors {errors}")

    slices = page.locator('[data-test="chart-grid-component"]')
    if slices.count() != len(charts):
        problems.append(f"{slices.count()} chart tiles on the page, expected {len(charts)}")
    for tile in slices.all():
        title = tile.locator('[data-test="editable-title"]').first.inner_text().strip()
        drawn = tile.locator("canvas").count() + tile.locator("tbody tr").count()
        text = tile.inner_text()
        if not drawn:
            problems.append(f"{title!r} drew nothing")
        for bad in ("No results were returned", "Unexpected error", "An error occurred", "Data error"):
            if bad in text:
                problems.append(f"{title!r} shows {bad!r}")

    expected = best_ten(marts, "2025-02-05")
    shown = table_rows(page, "Best ten concept boards", expected)
    if shown != expected:
        problems.append(f"best ten of 2025-02-05: the dashboard shows {shown}, the mart holds {expected}")

    # choose another session in the Session filter and apply it
    page.locator('[data-test="filter-bar"] .ant-select-selector').first.click()  # antd: the input sits under it
    page.keyboard.type("2025-01-27")
    page.locator(".ant-select-item-option", has_text="2025-01-27").click()  # not antd's hidden a11y copy
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(2_000)
    expected = best_ten(marts, "2025-01-27")
    shown = table_rows(page, "Best ten concept boards", expected)
    if shown != expected:
        problems.append(f"best ten of 2025-01-27 after the filter: shown {shown}, the mart holds {expected}")
    page.locator('[data-test="chart-grid-component"]').filter(has_text="Best ten concept boards").screenshot(
        path=str(OUT / "superset_leaderboard_2025-01-27.png")
    )
    return problems


def refuses_the_machine(page, base: str, work: Path) -> list[str]:
    """Issue 22, case 3: each attack through the HTTP API, as the admin the browser is logged in as."""
    from tests.test_superset_bundle import ATTACKS

    api = page.request
    headers = {"X-CSRFToken": api.get(f"{base}/api/v1/security/csrf_token/").json()["result"], "Referer": base}
    databases = api.get(f"{base}/api/v1/database/").json()["result"]
    database = next(d["id"] for d in databases if d["database_name"] == "ashare_marts")
    leak, warehouse = work / "leak.csv", work / "ashare.duckdb"
    problems, refused = [], 0
    for i, (name, template) in enumerate(sorted(ATTACKS.items())):
        sql = template.format(leak=leak, warehouse=warehouse)
        lab = api.post(
            f"{base}/api/v1/sqllab/execute/",
            data={"database_id": database, "sql": sql, "runAsync": False, "schema": "marts", "client_id": f"x{i:09d}"},
            headers=headers,
        )
        if lab.status != 403:
            problems.append(f"SQL Lab ran {name!r} (HTTP {lab.status}): {lab.text()[:200]}")
        made = api.post(
            f"{base}/api/v1/dataset/",
            data={"database": database, "schema": "marts", "table_name": f"attack_{i}", "sql": sql},
            headers=headers,
        )
        body = made.text()
        if made.ok or "root:" in body:
            problems.append(f"a dataset ran {name!r} (HTTP {made.status}): {body[:200]}")
        else:
            refused += 1
    if leak.exists():
        problems.append(f"{leak} was written through Superset")
    print(f"superset-test: {refused} of {len(ATTACKS)} attacks refused as datasets, SQL Lab answered 403 to each")
    return problems


def connections_stay_locked(page, base: str, work: Path) -> list[str]:
    """Issue 32, case 7: the admin edits the marts' connection to unlock DuckDB (external access on, the
    configuration unlocked, a directory allowed, read-only off), and adds a duckdb:///:memory: database. A
    dataset reading a host file or writing one must still be refused through each (superset_config.py
    DB_CONNECTION_MUTATOR forces the lock on every DuckDB engine and opens no other DuckDB database)."""
    api = page.request
    headers = {"X-CSRFToken": api.get(f"{base}/api/v1/security/csrf_token/").json()["result"], "Referer": base}
    databases = api.get(f"{base}/api/v1/database/").json()["result"]
    marts_db = next(d["id"] for d in databases if d["database_name"] == "ashare_marts")
    unlocked = {
        "allows_virtual_table_explore": True,
        "engine_params": {
            "connect_args": {
                "read_only": False,
                "config": {"enable_external_access": True, "lock_configuration": False, "allowed_directories": ["/"]},
            }
        },
    }
    edited = api.put(f"{base}/api/v1/database/{marts_db}", data={"extra": json.dumps(unlocked)}, headers=headers)
    added = api.post(
        f"{base}/api/v1/database/",
        data={"database_name": "scratch", "sqlalchemy_uri": "duckdb:///:memory:", "expose_in_sqllab": True},
        headers=headers,
    )
    problems, outcomes = [], {"edit": f"HTTP {edited.status}", "add :memory:": f"HTTP {added.status}"}
    targets = {"the edited connection": marts_db}
    if added.ok:
        targets["the added :memory: database"] = added.json()["id"]
    leak = work / "leak_edited.csv"
    for where, database in targets.items():
        for i, sql in enumerate(["SELECT * FROM read_text('/etc/hostname')", f"COPY (SELECT 42 AS x) TO '{leak}'"]):
            made = api.post(
                f"{base}/api/v1/dataset/",
                data={"database": database, "schema": "marts", "table_name": f"unlock_{database}_{i}", "sql": sql},
                headers=headers,
            )
            if made.ok:
                problems.append(f"{where}: a dataset ran {sql!r} (HTTP {made.status}): {made.text()[:200]}")
    if leak.exists():
        problems.append(f"{leak} was written through an edited connection")
    print(f"superset-test: DuckDB unlocked through the API ({outcomes}): every dataset through it refused")
    return problems


def load(page, url: str, charts: int) -> Answers:
    """Open the dashboard and wait until every chart has its data; returns the answers."""
    answers = Answers()
    page.on("response", answers)
    try:
        page.goto(url)
        deadline = time.monotonic() + 120
        while len(answers.by_chart) < charts and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("response", answers)
    return answers


def sees_a_republish(page, base: str, work: Path, charts: int) -> list[str]:
    """Two more sessions published while Superset runs: the publish is not held up, and the next dashboard
    load reads them (Superset opens the file per query, and caches no data)."""
    listed = page.request.get(f"{base}/api/v1/chart/?q=(page_size:100)").json()["result"]
    chart = next(c["id"] for c in listed if c["slice_name"] == "Dividend vs AI basket, cumulative return")
    url = base + bundle.dashboard_path()
    before = load(page, url, charts).by_chart[chart][1][0]["rowcount"]
    window.build(work, *REPUBLISH)
    after = load(page, url, charts).by_chart[chart][1][0]["rowcount"]
    if after != before + 2:
        return [f"after publishing {REPUBLISH[0]}..{REPUBLISH[1]}: the cumulative chart has {after} rows, was {before}"]
    return []


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(prog="python -m tools.superset_check")
    parser.add_argument("--marts", type=Path, help="a published marts file (default: build the window)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} missing: `make superset-test` installs Debian's chromium package")
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ashare-superset-"))
    state = work / "superset"
    server = None
    try:
        if args.marts is None:
            window.build(work, *WINDOW)
        marts = args.marts.resolve() if args.marts else work / "bi" / "marts.duckdb"
        began = time.monotonic()
        os.environ["ASHARE_SUPERSET_HOME"] = str(state)
        service.prepare(marts, state)
        prepared = time.monotonic()
        at = free_port()
        server = service.start(state, at, state / "superset.log")
        started = time.monotonic() - prepared
        base = f"http://127.0.0.1:{at}"
        charts = {tile["uuid"]: tile["sliceName"] for tile in bundle.dashboard_tiles()}
        left = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1600, "height": 3200})

            def local_only(route) -> None:
                url = route.request.url
                if url.startswith((base, "data:", "blob:")):
                    route.continue_()
                else:
                    left.append(url)
                    route.abort()

            page.route("**/*", local_only)
            problems = check(page, base, marts, charts)
            problems += refuses_the_machine(page, base, work)
            if args.marts is None:  # only a scratch warehouse of its own is republished
                problems += sees_a_republish(page, base, work, len(charts))
            problems += connections_stay_locked(page, base, work)  # last: it edits the connection
            browser.close()
        if started > START_LIMIT_S:
            problems.append(f"Superset took {started:.0f} s to start (limit {START_LIMIT_S} s)")
        if left:
            problems.append(f"{len(left)} requests tried to leave the machine: {sorted(set(left))[:5]}")
        if problems:
            log = (state / "superset.log").read_text(errors="replace")[-3000:]
            failed = "\n  ".join(problems)
            raise SystemExit(f"--- Superset's log, its end ---\n{log}\nsuperset-test FAILED:\n  {failed}")
        print(
            f"superset OK: {len(charts)} charts drawn from {marts.name} with rows and no error; the leaderboard "
            f"equals the mart on 2025-02-05 and, chosen in the Session filter, on 2025-01-27; "
            f"{'' if args.marts else 'a publish while it served was read on the next load; '}no request left "
            f"the machine; SQL Lab and every file, network and ATTACH attempt refused. Set-up and import "
            f"{prepared - began:.0f} s, start {started:.0f} s. Screenshots: "
            f"{OUT}/superset_dashboard.png, {OUT}/superset_leaderboard_2025-01-27.png"
        )
    finally:
        if server is not None:
            service.stop(server.pid)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
