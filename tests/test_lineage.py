"""Lineage matches the SQL: every table an asset reads (FROM/JOIN schema.table, read_partitions, relation) is a
declared dependency, so the UI's lineage has the edge and the upstream blocking check gates the read."""

import inspect
import re

import dagster as dg

from assets.definitions import defs

READ = re.compile(
    r"(?:FROM|JOIN)\s+(raw|staging|marts)\.(\w+)|(?:read_partitions|relation)\((?:wh, )?[\"'](raw|staging|marts)\.(\w+)"
)
SIDE_TABLES: dict = {}  # tables written by another asset's step that are not assets themselves (none left)


def reads(fn) -> set[tuple[str, str]]:
    """Tables read by a function and by the module-level helpers it calls (one level down)."""
    module = inspect.getmodule(fn)
    source = inspect.getsource(fn).replace(fn.__doc__ or "\0", "")  # a docstring may show a query to users
    helpers = [
        getattr(module, name)
        for name in re.findall(r"\b(_?\w+)\(", source)
        if inspect.isfunction(getattr(module, name, None))
        and getattr(module, name).__module__ == module.__name__
        and getattr(module, name) is not fn
    ]
    found = set()
    for text in [source, *(inspect.getsource(h) for h in helpers)]:
        for m in READ.finditer(text):
            schema, table = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            found.add(SIDE_TABLES.get((schema, table), (schema, table)))
    return found


def test_every_table_an_asset_reads_is_a_declared_dependency():
    graph = defs.resolve_asset_graph()
    missing = []
    for assets_def in graph.assets_defs:
        if not assets_def.is_executable or not assets_def.keys:  # external specs; the mart audits (checks)
            continue
        fn = assets_def.op.compute_fn.decorated_fn
        while hasattr(fn, "__wrapped__"):
            fn = fn.__wrapped__
        own = {tuple(k.path) for k in assets_def.keys}
        declared = own | {tuple(d.path) for k in assets_def.keys for d in assets_def.asset_deps.get(k, set())}
        for table in reads(fn) - declared:
            missing.append(f"{sorted(own)} reads {'.'.join(table)} without declaring it")
    assert not missing, "\n".join(missing)


def test_the_guard_sees_a_read_that_is_not_declared():
    def asset_like(wh):
        return wh.query("SELECT * FROM staging.board_bars_daily JOIN marts.index_daily USING (trade_date)")

    assert reads(asset_like) == {("staging", "board_bars_daily"), ("marts", "index_daily")}
    assert dg.AssetKey(["staging", "board_bars_daily"]) in defs.resolve_asset_graph().get_all_asset_keys()
