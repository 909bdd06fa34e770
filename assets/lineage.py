"""An asset's key and its deps, declared as the tables its code reads: the UI's lineage follows the SQL."""

import dagster as dg


def key(layer: str, name: str) -> dg.AssetKey:
    return dg.AssetKey([layer, name])


def reads(*tables: str) -> list[dg.AssetKey]:
    """An asset's deps, declared as the tables its code reads ("staging.stock_bars_daily"): that gives the
    UI its lineage edge and lets the upstream blocking check gate the read. tests/test_lineage.py holds the
    declaration to the SQL both ways: a read not declared fails, and so does a declaration nothing reads."""
    out = []
    for table in tables:
        layer, _, name = table.partition(".")
        if layer not in ("raw", "staging", "marts") or not name:
            raise ValueError(f"reads({table!r}): expected raw.<table>, staging.<table> or marts.<table>")
        out.append(key(layer, name))
    return out


ORDERED_AFTER = "ordered_after"  # the metadata entry naming an asset's order-only deps, with the reason


def depends(*tables: str, after: dict[str, str] | None = None) -> dict:
    """`deps` and `metadata` of an asset that reads `tables` and must also run `after` others without reading
    them (table -> why: a gate that must have judged first, a publish that copies by name). The reasons are
    the asset's metadata, shown in the UI; tests/test_lineage.py accepts no other unread dependency."""
    after = after or {}
    return {"deps": [*reads(*tables), *reads(*after)], "metadata": {ORDERED_AFTER: dict(after)} if after else {}}


def spec(layer: str, name: str) -> dg.AssetSpec:
    """An output of a multi-asset, grouped and labelled like the single assets."""
    return dg.AssetSpec(key(layer, name), group_name=layer, kinds={"duckdb", "polars"})
