"""Great Expectations' data docs, rendered without a network.

GX 1.24's pages load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega and more from five CDNs, and its
logo from S3: on a machine without internet the index is unstyled and its tables stay empty. The same files,
in the versions GX names, are npm packages (etl/gate/docs_assets/package.json and its lock; `make` installs
them with `npm ci`). After each build, `localise` copies what the pages use into the site
(`static/vendor/`) and points every page at those copies; GX's own logo comes from the files GX ships.
A page that names a CDN file not in `ASSETS` is reported, never left silently pointing at the network.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent / "docs_assets"
MODULES = ASSETS_DIR / "node_modules"

# CDN URL -> file under node_modules (a directory: copied whole, for CSS that loads fonts relatively)
ASSETS = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/dist/umd/popper.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table/dist/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table/dist/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
}
WHOLE_PACKAGE = {"@fortawesome/fontawesome-free": ("css", "webfonts")}  # all.min.css loads ../webfonts/*
LOGO = re.compile(
    r"https://great-expectations-web-assets\.s3\.[a-z0-9-]+\.amazonaws\.com/(logo-long|full_logo_dark)\.png[^\"']*"
)
LOADED = re.compile(r"""<(?:link|script|img)\b[^>]*?\b(?:href|src)=["'](https?://[^"']+)["']""")


class OfflineAssetsMissing(RuntimeError):
    pass


def available() -> bool:
    return (MODULES / "bootstrap" / "package.json").exists()


def localise(site: Path) -> dict[str, int]:
    """Copy the assets into `site`/static/vendor and rewrite every page to use them; returns counts."""
    if not available():
        raise OfflineAssetsMissing(
            f"{MODULES} is missing: run `npm ci --prefix {ASSETS_DIR}` (make demo does) to render the data "
            "docs without a network"
        )
    vendor = site / "static" / "vendor"
    for url, relative in ASSETS.items():
        source = MODULES / relative
        if not source.exists():
            raise OfflineAssetsMissing(f"{source}: not installed (for {url}); run `npm ci --prefix {ASSETS_DIR}`")
        target = vendor / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for package, folders in WHOLE_PACKAGE.items():
        for folder in folders:
            shutil.copytree(MODULES / package / folder, vendor / package / folder, dirs_exist_ok=True)
    pages = rewritten = 0
    unknown: set[str] = set()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        up = "../" * (len(page.relative_to(site).parts) - 1)
        new = text
        for url, relative in ASSETS.items():
            new = new.replace(f'"{url}"', f'"{up}static/vendor/{relative}"')
        new = LOGO.sub(f"{up}static/images/logo-long.png", new)
        unknown |= set(LOADED.findall(new))
        pages += 1
        if new != text:
            page.write_text(new, encoding="utf-8")
            rewritten += 1
    if unknown:
        raise OfflineAssetsMissing(
            f"data docs load files etl/gate/offline_docs.py does not serve locally: {sorted(unknown)[:5]}"
        )
    return {"pages": pages, "rewritten": rewritten, "assets": len(ASSETS)}
