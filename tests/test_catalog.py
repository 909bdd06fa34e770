"""docs/architecture.md's table list is generated (etl/catalog.py): stale means someone changed a DDL or a
RawTable and not the page; every raw table declares a grain made of its own columns."""

from etl.catalog import ARCHITECTURE_DOC, render, rows, updated


def test_the_table_list_is_generated_from_the_registry_and_the_ddl():
    text = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    assert updated(text) == text, "docs/architecture.md's table list is stale: run make docs"


def test_every_table_is_listed_once_with_a_grain():
    listed = [t for t, *_ in rows()]
    assert len(listed) == len(set(listed))
    assert {t.split(".")[0] for t in listed} == {"raw", "staging", "quality", "marts"}
    missing = [t for t, grain, _, _ in rows() if not grain and t.split(".")[0] != "quality"]
    assert not missing, f"no grain for {missing}"


def test_a_raw_grain_names_its_own_columns():
    from etl.datasets import raw_tables

    for table, spec in raw_tables():
        columns = {c.name for c in spec.columns} | set(table.extra)
        assert table.grain and set(table.grain) <= columns, f"{table.name}: grain {table.grain} not in {columns}"


def test_the_list_follows_the_registry(monkeypatch):
    import dataclasses

    import etl.datasets

    real = etl.datasets.raw_tables
    before = render()
    noted = [(dataclasses.replace(t, note="a note the page does not have yet"), s) for t, s in real()]
    monkeypatch.setattr(etl.datasets, "raw_tables", lambda: noted)
    assert "a note the page does not have yet" in render() and render() != before
