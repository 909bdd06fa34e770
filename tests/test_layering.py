"""The floor plan, held by the imports (every import: module level, inside functions, under TYPE_CHECKING):

    assets/              the Dagster root: definitions, resources, partitions, schedules, the gate's adapter
    domains/<d>/         a domain's datasets, transforms, suites, staging.sql; assets.py its only Dagster file
    marts/<s>/           a mart subject's transforms; assets.py its only Dagster file
    etl/                 the kit: no Dagster, no domain, no mart, no asset

No domain imports another; a mart may use a domain's transforms (the stocks domain's price-limit band) but no
asset module; nothing imports a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("etl", "assets", "domains", "marts", "tools")
DAGSTER = ("dagster", "dagster_celery", "dagster_k8s", "dagster_postgres", "dagster_webserver")


def modules(root: Path = ROOT) -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            name = ".".join(path.relative_to(root).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def imports(path: Path) -> set[str]:
    """Every module `path` imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Project module -> the project modules it imports (`from pkg import name` counts pkg.name if a module)."""
    known = modules(root)
    return {name: {m for m in imports(path) if m in known} for name, path in known.items()}


def breaches(root: Path = ROOT) -> list[str]:
    out = []
    for name, path in modules(root).items():
        top, parts = name.split(".")[0], name.split(".")
        for target in sorted(imports(path)):
            other = target.split(".")
            is_assets_file = parts[-1] == "assets" or top == "assets"
            if other[0] in DAGSTER and top in ("etl", "domains", "marts") and not is_assets_file:
                out.append(f"{name} imports {target}: Dagster belongs to assets/ and */assets.py")
            if top == "etl" and other[0] in ("domains", "marts", "assets", "tools", "tests"):
                out.append(f"{name} imports {target}: the kit (etl/) knows no domain, mart or asset")
            if top == "domains" and other[0] == "domains" and len(other) > 1 and other[1] != parts[1]:
                out.append(f"{name} imports {target}: a domain imports no other domain")
            if top in ("domains", "marts") and other[0] == "marts" and top != "marts":
                out.append(f"{name} imports {target}: a domain imports no mart")
            if top == "marts" and ((other[0] == "domains" and other[-1] == "assets") or other[0] == "tools"):
                out.append(f"{name} imports {target}: a mart uses a domain's transforms, not its assets")
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_each_layer_imports_only_what_it_may():
    assert not breaches(), "\n".join(breaches())


def test_no_import_circle():
    assert not cycles(graph()), cycles(graph())


def test_every_domain_has_its_files_side_by_side():
    for domain in sorted(p for p in (ROOT / "domains").iterdir() if (p / "__init__.py").exists()):
        missing = [f for f in ("datasets.py", "suites.py", "staging.sql", "assets.py") if not (domain / f).exists()]
        assert not missing, f"domains/{domain.name} lacks {missing}"


@pytest.mark.parametrize(
    "path, text, broken",
    [
        ("etl/x.py", "from domains.stocks import suites\n", "knows no domain"),
        ("etl/x.py", "def f():\n    import dagster\n", "Dagster belongs"),
        ("domains/a/transforms.py", "from domains.b.transforms import f\n", "no other domain"),
        ("domains/a/assets.py", "import dagster as dg\n", None),
        ("marts/m/transforms.py", "from domains.a.assets import x\n", "not its assets"),
        ("marts/m/transforms.py", "from domains.a.transforms import f\n", None),
    ],
)
def test_the_guard_names_each_breach(tmp_path, path, text, broken):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    found = breaches(tmp_path)
    assert (broken is None and not found) or (broken and any(broken in b for b in found)), found


def test_the_guard_sees_a_circle_through_a_function_level_import(tmp_path):
    (tmp_path / "etl").mkdir()
    (tmp_path / "etl" / "a.py").write_text("from etl.b import g\n", encoding="utf-8")
    (tmp_path / "etl" / "b.py").write_text("def g():\n    from etl import a\n", encoding="utf-8")
    for package in PACKAGES[1:]:
        (tmp_path / package).mkdir()
    assert cycles(graph(tmp_path)) == [["etl.a", "etl.b"]]
