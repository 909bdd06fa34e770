#!/usr/bin/env bash
# The DuckDB JDBC driver DBeaver and Metabase use, the version matching the pinned duckdb, from Maven Central
# into tools/bi/lib/ (git-ignored); Debian's JDK and Maven when missing.  Usage: jdbc-driver.sh <python>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${1:?usage: jdbc-driver.sh <python>}
command -v java >/dev/null && command -v mvn >/dev/null || "$here/apt.sh" default-jdk-headless maven
version=$("$python" -c 'import duckdb; print(duckdb.__version__)').0
lib="$here/../bi/lib"
[ -f "$lib/duckdb_jdbc-$version.jar" ] && exit 0
mvn --batch-mode --quiet dependency:copy -Dartifact="org.duckdb:duckdb_jdbc:$version" -DoutputDirectory="$lib"
