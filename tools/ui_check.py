"""`make ui-test`: the Dagster UI in a real browser (Debian's /usr/bin/chromium driven by Playwright).

Builds a small warehouse and a Dagster instance in a temporary directory (three sessions around the Snake
year's first one), starts the webserver on a free local port, opens the lineage of marts/dividend_vs_ai_daily
and the checks of staging/stock_bars_daily, asserts that the raw, staging and mart assets and the gx_suite
check's result are shown, and saves screenshots under warehouse/ui/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from etl.local_server import free_port, wait_for
from etl.settings import WAREHOUSE_DIR
from tools import window

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# flags that keep Chromium off the (closed) network and quiet as root in a container
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUT = WAREHOUSE_DIR / "ui"


BOARD_INPUTS = ["board_bars_daily", "board_snapshots", "board_membership", "stock_bars_daily"]


def page_text(page, url: str, expect: list[str], shot: Path, timeout_ms: int = 60_000) -> str:
    page.goto(url, wait_until="networkidle")
    skip = page.get_by_role("button", name="Skip")  # the first-visit "join the community" dialog
    if skip.count():
        skip.click()
    for word in expect:
        page.get_by_text(word, exact=True).first.wait_for(timeout=timeout_ms)
    page.screenshot(path=str(shot))
    return page.inner_text("body")


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} missing: `make ui-test` installs Debian's chromium package")
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ashare-ui-"))
    server = None
    try:
        env = window.build(work, "2025-02-05", "2025-02-07")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "dagster-webserver"),
                "-m",
                "assets.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"{base}/server_info", server, 180, "the Dagster webserver")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1800, "height": 1100})
            lineage = page_text(
                page,
                f"{base}/assets/marts/dividend_vs_ai_daily?view=lineage&lineageScope=upstream&lineageDepth=4",
                ["raw", "staging", "marts", "dividend_vs_ai_daily", "theme_daily", "stock_bars_daily"],
                OUT / "lineage.png",
            )
            # side tables are assets of their own, and board_daily's lineage has its board-bars edge (#11)
            boards = page_text(
                page,
                f"{base}/assets/marts/board_daily?view=lineage&lineageScope=upstream&lineageDepth=1",
                BOARD_INPUTS,
                OUT / "board_daily_lineage.png",
            )
            checks = page_text(
                page, f"{base}/assets/staging/stock_bars_daily?view=checks", ["gx_suite"], OUT / "checks.png"
            )
            # a month partition's page says which of its sessions the run covered (issue 24)
            month = page_text(
                page,
                f"{base}/assets/raw/stock_bars_daily?view=partitions&partition=2025-02",
                ["sessions_by_month", "2025-02-05 .. 2025-02-07"],
                OUT / "month_partition.png",
            )
            browser.close()
        missing = [w for w in ("raw", "staging", "marts", "theme_daily", "stock_bars_daily") if w not in lineage]
        if missing:
            raise SystemExit(f"lineage page lacks {missing}")
        missing = [w for w in BOARD_INPUTS if w not in boards]
        if missing:
            raise SystemExit(f"marts/board_daily's lineage lacks {missing}")
        if "gx_suite" not in checks or "Passed" not in checks:
            raise SystemExit("the checks page does not show gx_suite as passed")
        if "sessions_by_month" not in month or "2025-02-05 .. 2025-02-07" not in month:
            raise SystemExit("the 2025-02 partition's page does not show the sessions the run covered")
        print(
            f"UI OK: lineage shows raw, staging and marts, and board_daily's inputs {BOARD_INPUTS}; gx_suite "
            f"passed; the 2025-02 partition shows its sessions 2025-02-05 .. 2025-02-07. Screenshots: "
            f"{OUT}/lineage.png, {OUT}/board_daily_lineage.png, {OUT}/checks.png, {OUT}/month_partition.png"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
