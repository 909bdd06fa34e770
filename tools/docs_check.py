"""The Great Expectations data docs render with the network off: headless Chromium (Debian's, driven by
Playwright) opens the site's index from disk with every non-file request blocked and recorded, and checks
that no request left the machine, that the page is styled (Bootstrap's CSS applied) and that the index
lists every suite the GX store holds. Run by `make ui-test` after the UI check; a screenshot goes to
warehouse/ui/data_docs_offline.png.

    python -m tools.docs_check [--site warehouse/gx/gx/uncommitted/data_docs/local_site]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from tools.ui_check import CHROMIUM, FLAGS, OUT


def build_site(root: Path) -> Path:
    """A fresh site: every staging suite validated once on the sample's Spring Festival window."""
    os.environ["ASHARE_GX_DIR"] = str(root / "gx")
    os.environ["ASHARE_DATA_DOCS"] = "1"
    import dagster as dg

    from assets.definitions import all_assets
    from assets.resources import MarketSourceResource, WarehouseResource
    from etl.gate.gx import build_data_docs
    from tests.conftest import range_tags

    result = dg.materialize(
        all_assets,
        resources={
            "warehouse": WarehouseResource(path=str(root / "w.duckdb")),
            "market_source": MarketSourceResource(),
        },
        tags=range_tags("2025-02-04", "2025-02-06"),
        selection=dg.AssetSelection.groups("staging").upstream(),
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},  # CI logs stay readable
    )
    assert result.success
    return build_data_docs()


def stored_suites(index: Path) -> list[str]:
    """The suites GX's store holds beside this site (<gx>/expectations/*.json; the site is
    <gx>/uncommitted/data_docs/local_site). A suite whose table has never had a row in a validated chunk has
    none: empty chunks skip GX (etl/gate/gx.py)."""
    return sorted(p.stem for p in (index.parents[3] / "expectations").glob("*.json"))


def check(index: Path) -> dict:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})

        def route(r):
            if r.request.url.startswith("file://"):
                return r.continue_()
            outside.append(r.request.url)
            return r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.goto(index.as_uri())
        try:
            page.wait_for_selector("table tbody tr", timeout=30_000)
        except Exception:  # noqa: BLE001 - the table is filled by scripts: say which could not load
            browser.close()
            raise SystemExit(
                f"data docs offline: the index's table never filled; {len(outside)} requests tried the network, "
                f"e.g. {outside[:3]}"
            ) from None
        page.wait_for_timeout(1000)
        OUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT / "data_docs_offline.png"), full_page=False)
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        html = page.content()  # both tabs: validation results and expectation suites
        browser.close()
    suites = stored_suites(index)
    missing = [name for name in suites if name not in html]
    problems = []
    if outside:
        problems.append(f"{len(outside)} requests tried the network, e.g. {outside[:3]}")
    if "apple-system" not in font:  # Bootstrap 4's font stack on <body>: its CSS was applied
        problems.append(f"unstyled: body font is {font!r}")
    if missing or not suites:
        problems.append(f"the index does not list {missing[:5]} of the {len(suites)} stored suites")
    if problems:
        raise SystemExit("data docs offline: " + "; ".join(problems))
    return {"suites": len(suites), "requests_outside": 0, "screenshot": str(OUT / "data_docs_offline.png")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", help="an existing site (default: build one in a temporary directory)")
    args = parser.parse_args()
    if args.site:
        index = Path(args.site).resolve() / "index.html"
    else:
        index = build_site(Path(tempfile.mkdtemp(prefix="ashare-docs-")))
    found = check(index)
    print(f"data docs OK offline: {found['suites']} suites listed, no request left the machine; {found['screenshot']}")


if __name__ == "__main__":
    main()
