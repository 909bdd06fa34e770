"""Run an expectation suite with Great Expectations 1.x on a polars frame (as a pandas dataframe batch).

GX is imported here, lazily: `import great_expectations` costs 5-15 s and ~300 MB, and Dagster re-imports
the code location in every step process. GX's SQL datasource is broken on DuckDB (GX #10738), so suites
validate dataframes. Row-level expectations report the offending rows through a `__row` index column; those
rows are quarantined. Partition-level expectations run on a one-row-per-partition summary and fail the check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from etl import env
from etl.gate.rules import Rule, Suite
from etl.settings import WAREHOUSE_DIR


def gx_dir() -> Path:
    return Path(env.text("ASHARE_GX_DIR", str(WAREHOUSE_DIR / "gx")))


RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["__row"],
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 5,
}


def data_docs_enabled() -> bool:
    from etl.settings import data_docs

    return data_docs()


def _context(with_docs: bool):
    return _cached_context(with_docs, str(gx_dir()))


@lru_cache(maxsize=4)
def _cached_context(with_docs: bool, root: str):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=root) if with_docs else gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@dataclass
class Outcome:
    suite: str
    bad_rows: pl.DataFrame  # __row, rule, value
    failed_partition_rules: list[str]
    summary: dict[str, Any]
    docs_url: str | None = None
    results: list[dict] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.failed_partition_rules


@contextmanager
def _store_lock(context) -> Iterator[None]:
    """A file context's configuration (great_expectations.yml, suites, checkpoints) is rewritten by every
    validation: on a lake, parallel steps in separate processes validate at once, and two rewrites of one
    file would interleave. An advisory lock on the GX directory serialises them (uncontended: microseconds)."""
    import fcntl

    from great_expectations.data_context import FileDataContext

    if not isinstance(context, FileDataContext):  # an ephemeral context keeps it all in this process
        yield
        return

    gx_dir().mkdir(parents=True, exist_ok=True)
    with open(gx_dir() / ".validate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(context, name: str, frame: pl.DataFrame, rules: list[Rule], facts: dict) -> list[tuple[Rule, Any]]:
    import great_expectations as gx

    if not rules:
        return []
    # dates as ISO text: pandas would turn them into datetime64 values that never equal a date in a value set
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    pdf = frame.with_row_index("__row").with_columns(pl.col(dates).cast(pl.String)).to_pandas()
    expectations = []
    for rule in rules:
        expectation = rule.build(gx.expectations, facts)
        expectation.meta = {"rule": rule.name}
        expectations.append(expectation)
    source = context.data_sources.add_or_update_pandas("warehouse")
    asset = source.add_dataframe_asset(name)
    batch_definition = asset.add_batch_definition_whole_dataframe("partition")
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )
    # results are stored with the context; the data docs site is rebuilt once per run (build_data_docs)
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(name=name, validation_definitions=[definition], actions=[], result_format=RESULT_FORMAT)
    )
    result = checkpoint.run(batch_parameters={"dataframe": pdf})
    by_rule = {r.name: r for r in rules}
    out = []
    for run in result.run_results.values():
        for r in run.results:
            out.append((by_rule[r.expectation_config.meta["rule"]], r))
    return out


def _evaluate(context, name: str, frame: pl.DataFrame, rules: list[Rule], facts: dict, kind: str):
    """Run `rules` on `frame`; return (offending rows: __row, rule, value) and a result line per rule."""
    bad, details = [], []
    if frame.height == 0 and kind == "row":
        # every row rule is a per-row (or per-row-tuple) expectation: on no rows each holds, as GX would report
        # after ~0.25 s of checkpoint machinery; a source with nothing for a month of sessions (board bars in
        # the recorded sample) paid that per chunk. Partition rules still run: an empty partition is judged.
        import great_expectations as gx

        details = [
            {
                "rule": rule.name,
                "kind": kind,
                "expectation": rule.build(gx.expectations, facts).expectation_type,
                "success": True,
                "unexpected": 0,
                "examples": [],
            }
            for rule in rules
        ]
        return pl.DataFrame(schema={"__row": pl.UInt32, "rule": pl.String, "value": pl.String}), details
    with _store_lock(context):
        checked = _run(context, name, frame, rules, facts)
    for rule, r in checked:
        rows = [int(x["__row"]) for x in r.result.get("unexpected_index_list") or []]
        details.append(
            {
                "rule": rule.name,
                "kind": kind,
                "expectation": r.expectation_config.type,
                "success": r.success,
                "unexpected": len(rows) if rows else (r.result.get("unexpected_count") or 0),
                "examples": [str(v) for v in (r.result.get("partial_unexpected_list") or [])[:3]],
            }
        )
        if rows:
            values = frame.with_row_index("__row").filter(pl.col("__row").is_in(rows))
            bad.append(
                values.select(
                    "__row",
                    rule=pl.lit(rule.name),
                    value=pl.col(rule.value).cast(pl.String)
                    if rule.value in frame.columns
                    else pl.lit(None, pl.String),
                )
            )
        elif not r.success:  # a table-level expectation: every row of the frame is concerned
            bad.append(
                frame.with_row_index("__row").select("__row", rule=pl.lit(rule.name), value=pl.lit(None, pl.String))
            )
    # a row breaking several rules is listed once, under the first rule of the suite it breaks
    rows = (
        pl.concat(bad).unique("__row", keep="first", maintain_order=True).sort("__row")
        if bad
        else pl.DataFrame(schema={"__row": pl.UInt32, "rule": pl.String, "value": pl.String})
    )
    return rows, details


def _outcome(suite: Suite, bad_rows: pl.DataFrame, details: list[dict], failed: list[str]) -> Outcome:
    summary = {
        "expectations": len(details),
        "failed": sum(not d["success"] for d in details),
        "quarantined_rows": bad_rows.height,
        "failed_partition_rules": failed,
    }
    docs = docs_index().as_uri() if data_docs_enabled() else None
    return Outcome(suite.table, bad_rows, failed, summary, docs, details)


def validate(suite: Suite, frame: pl.DataFrame, facts: dict | None = None) -> Outcome:
    """Row rules on the candidate rows: `bad_rows` are the rows to quarantine. Flag rules run last in the
    same suite; rows breaking only a flag rule are kept and counted in `flagged` (rule -> rows)."""
    bad, details = _evaluate(
        _context(data_docs_enabled()),
        suite.table.replace(".", "__"),
        frame,
        [*suite.row_rules, *suite.flag_rules],
        facts or {},
        "row",
    )
    flags = {r.name for r in suite.flag_rules}
    for d in details:
        d["kind"] = "flag" if d["rule"] in flags else d["kind"]
    outcome = _outcome(suite, bad.filter(~pl.col("rule").is_in(flags)), details, [])
    outcome.flagged = dict(bad.filter(pl.col("rule").is_in(flags)).group_by("rule").len().iter_rows())
    return outcome


def validate_partitions(suite: Suite, summary: pl.DataFrame, facts: dict | None = None) -> Outcome:
    """Partition rules on a one-row-per-partition summary of the rows that passed the row rules:
    `bad_rows` are the summary rows (partitions) that fail, with the first rule each breaks."""
    bad, details = _evaluate(
        _context(data_docs_enabled()),
        suite.table.replace(".", "__") + "__partitions",
        summary,
        suite.partition_rules,
        facts or {},
        "partition",
    )
    failed = [d["rule"] for d in details if not d["success"]]
    return _outcome(suite, bad, details, failed)


def docs_index() -> Path:
    return gx_dir() / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


# Validation results kept per suite (and kind) for the data docs: a range run validates a chunk at a time and a
# daily run adds a result per suite, so keeping all of them would make every docs build slower than the last.
# The rows a rule refused stay in the warehouse (quality.quarantine) for ever; the docs show the latest runs.
KEEP_RESULTS = 2


def prune_results(context, keep: int = KEEP_RESULTS) -> int:
    """Drop all but the `keep` newest stored validation results of each suite; returns how many went."""
    store = context.validation_results_store
    by_suite: dict[str, list] = {}
    for key in store.list_keys():
        suite, _, run_time, _ = key.to_tuple()
        by_suite.setdefault(suite, []).append((run_time, key))
    dropped = 0
    for results in by_suite.values():
        for _, key in sorted(results, key=lambda r: r[0])[:-keep]:
            store.remove_key(key)
            dropped += 1
    return dropped


def build_data_docs() -> Path | None:
    """Render the data docs site (HTML) from the newest validation results of each suite: old results are
    pruned and the site is rebuilt from scratch, so a build costs the same on the thousandth run as the first."""
    if not data_docs_enabled():
        return None
    import shutil

    from etl.gate import offline_docs

    context = _context(True)
    with _store_lock(context):
        prune_results(context)
        shutil.rmtree(docs_index().parent, ignore_errors=True)
        context.build_data_docs()
        if offline_docs.available():  # served from the site itself: renders with no network
            offline_docs.localise(docs_index().parent)
    return docs_index()
