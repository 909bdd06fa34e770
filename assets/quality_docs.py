"""Great Expectations data docs: one HTML site under warehouse/gx with every suite's latest results."""

import dagster as dg

from assets.lineage import depends
from etl.gate.rules import suites


@dg.asset(
    key_prefix="quality",
    name="data_docs",
    group_name="quality",
    kinds={"great_expectations"},
    **depends(after={s.table: "the data docs render the results every staging suite wrote" for s in suites()}),
)
def quality_data_docs() -> dg.MaterializeResult:
    """Rebuild the data docs site after the staging suites ran; open the `index` link in a browser."""
    from etl.gate.gx import build_data_docs

    index = build_data_docs()
    if index is None:
        return dg.MaterializeResult(metadata={"note": "data docs disabled (ASHARE_DATA_DOCS=0)"})
    return dg.MaterializeResult(metadata={"index": dg.MetadataValue.url(index.as_uri()), "path": str(index)})
