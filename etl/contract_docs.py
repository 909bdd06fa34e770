"""The mart contract as docs/marts.md documents it: one `marts.<table>` paragraph followed by a table of
columns, types and meanings. The tests hold the warehouse to it and the publish step refuses to publish a
mart that differs from it; the published BI file carries it as `marts.contract`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from etl.settings import PROJECT_ROOT

CONTRACT_DOC = PROJECT_ROOT / "docs" / "marts.md"
BI_DOC = PROJECT_ROOT / "docs" / "bi.md"
HEADING = re.compile(r"^`(marts\.\w+)` — (.*)$")


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    type: str
    meaning: str


def documented_columns(readme: Path = CONTRACT_DOC) -> dict[str, list[Column]]:
    """`marts.x` -> its documented columns in order (a row naming 'a, b' documents both)."""
    contracts: dict[str, list[Column]] = {}
    current = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            current = heading.group(1)
            contracts.setdefault(current, [])
            continue
        if current is None:
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if len(cells) >= 3 and cells[0] not in ("column", "---"):
                meaning = cells[2].replace("\\|", "|")
                contracts[current].extend(Column(current, n.strip(), cells[1], meaning) for n in cells[0].split(","))
        elif contracts[current]:
            current = None
    return contracts


def table_descriptions(readme: Path = CONTRACT_DOC) -> dict[str, str]:
    out = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            out[heading.group(1)] = heading.group(2).strip()
    return out
