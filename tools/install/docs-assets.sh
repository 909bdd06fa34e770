#!/usr/bin/env bash
# The data docs' CSS, JavaScript and fonts, from npm, so that they render offline (etl/gate/offline_docs.py):
# Debian's npm when there is none, then exactly the locked packages.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v npm >/dev/null || "$here/apt.sh" npm
npm ci --prefix "$here/../../etl/gate/docs_assets" --silent
