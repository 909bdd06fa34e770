"""Asset metadata helpers."""

import dagster as dg
import polars as pl


def preview(frame: pl.DataFrame, n: int = 10) -> dg.MetadataValue:
    """The last rows of a frame as a Markdown table for the asset's metadata."""
    return dg.MetadataValue.md(frame.tail(n).to_pandas().to_markdown(index=False))
