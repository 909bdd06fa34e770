"""Lineage matches the SQL, both ways. Every table an asset's code reads (FROM/JOIN schema.table,
read_partitions, relation, a table= or raw= argument), in its own body and in the project functions it calls, is a
declared dependency, so the UI's lineage has the edge and the upstream blocking check gates the read; and
every declared dependency is read, unless `depends(after=...)` declared it for order with a reason (the asset's
`ordered_after` metadata)."""

import importlib
import inspect
import re

import dagster as dg
import pytest

from assets.definitions import defs
from assets.lineage import ORDERED_AFTER

TABLE = r"(raw|staging|marts)\.(\w+)"
READ = re.compile(
    rf"(?:FROM|JOIN)\s+{TABLE}|(?:read_partitions|relation)\((?:wh, )?[\"']{TABLE}|\b(?:table|raw)=[\"']{TABLE}",
)
CALL = re.compile(r"\b([A-Za-z_]\w*)\(")
LOCAL_IMPORT = re.compile(r"from ((?:assets|etl|domains|marts)\.[\w.]+) import ([\w, ]+)")
PROJECT = ("assets.", "etl.", "domains.", "marts.")


def _source(fn) -> str:
    return inspect.getsource(fn).replace(fn.__doc__ or "\0", "")  # a docstring may show a query to users


def _callees(fn, source: str) -> list:
    """The project functions `fn` calls: module globals and function-local imports from assets/ or etl/."""
    names = dict(vars(inspect.getmodule(fn)))
    for module, imported in LOCAL_IMPORT.findall(source):
        mod = importlib.import_module(module)
        names.update({n.strip(): getattr(mod, n.strip(), None) for n in imported.split(",")})
    found = []
    for name in dict.fromkeys(CALL.findall(source)):
        target = names.get(name)
        if inspect.isfunction(target) and target is not fn and target.__module__.startswith(PROJECT):
            found.append(target)
    return found


def reads(fn, depth: int = 2) -> set[tuple[str, str]]:
    """Tables read by a function and by the project functions it calls, `depth` calls down."""
    seen, frontier, found = {fn}, [fn], set()
    for level in range(depth + 1):
        following = []
        for f in frontier:
            text = _source(f)
            for m in READ.finditer(text):
                groups = [g for g in m.groups() if g]
                found.add((groups[0], groups[1]))
            found |= _made_for(f)
            if level < depth:
                following += [c for c in _callees(f, text) if c not in seen]
                seen.update(following)
        frontier = following
    return found


def _made_for(fn) -> set[tuple[str, str]]:
    """An asset made by a factory (assets/raw.py captured_raw_asset, assets/gate.py latest_capture_asset) reads
    the tables it was made for: the factory's arguments, held in the body's closure (a `raw` table name, or
    the `suite` whose table it stages)."""
    found = set()
    for name, value in inspect.getclosurevars(fn).nonlocals.items():
        table = getattr(value, "table", value) if name in ("raw", "table", "suite") else None
        if isinstance(table, str) and re.fullmatch(TABLE, table):
            found.add(tuple(table.split(".")))
    return found


def _body(assets_def):
    fn = assets_def.op.compute_fn.decorated_fn
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    return fn


def _assets():
    for assets_def in defs.resolve_asset_graph().assets_defs:
        if not assets_def.is_executable or not assets_def.keys:  # external specs; the mart audits (checks)
            continue
        fn = _body(assets_def)
        own = {tuple(k.path) for k in assets_def.keys}
        declared = {tuple(d.path) for k in assets_def.keys for d in assets_def.asset_deps.get(k, set())} - own
        ordered = {
            tuple(table.split("."))
            for k in assets_def.keys
            for table in (assets_def.specs_by_key[k].metadata or {}).get(ORDERED_AFTER, {})
        }
        yield sorted(own), fn, declared, ordered


def test_every_table_an_asset_reads_is_a_declared_dependency():
    missing = [
        f"{own} reads {'.'.join(table)} without declaring it"
        for own, fn, declared, _ in _assets()
        for table in reads(fn) - declared - set(map(tuple, own))
    ]
    assert not missing, "\n".join(missing)


def test_every_declared_dependency_is_read_or_ordered_with_a_reason():
    unread = [
        f"{own} declares {'.'.join(table)} but nothing in its code reads it"
        for own, fn, declared, ordered in _assets()
        for table in declared - reads(fn) - ordered
    ]
    assert not unread, "\n".join(unread)


def test_the_guard_sees_reads_in_the_body_in_helpers_and_in_project_calls():
    def asset_like(wh):
        return wh.query("SELECT * FROM staging.board_bars_daily JOIN marts.index_daily USING (trade_date)")

    assert reads(asset_like) == {("staging", "board_bars_daily"), ("marts", "index_daily")}

    from assets.report import dividend_vs_ai_report
    from marts.market.assets import marts_market_breadth_daily
    from marts.themes.assets import marts_themes

    assert ("staging", "stock_bars_daily") in reads(_body(marts_market_breadth_daily))  # WINDOW_SQL.format(table=)
    assert ("staging", "stock_bars_daily") in reads(_body(marts_themes))  # member_bars() in marts/inputs.py
    assert ("marts", "event_window") in reads(_body(dividend_vs_ai_report))  # etl/report's build(), a local import


@pytest.mark.parametrize("dropped", ["staging.board_bars_daily", "staging.board_snapshots"])
def test_removing_one_declaration_makes_the_guard_fail(dropped):
    """What the note of #11 shows: take a table out of marts.board_daily's deps and the guard names it."""
    from marts.boards.assets import marts_board_daily

    declared = {tuple(d.path) for d in marts_board_daily.asset_deps[dg.AssetKey(["marts", "board_daily"])]}
    assert (*dropped.split("."),) in declared
    fn = _body(marts_board_daily)
    assert (*dropped.split("."),) in reads(fn) - (declared - {(*dropped.split("."),)})
