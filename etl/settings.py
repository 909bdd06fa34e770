"""Where things live and which source feeds the warehouse. Environment variables override defaults."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"
SAMPLE_LANDING = WAREHOUSE_DIR / "sample" / "landing"
SQL_DIR = WAREHOUSE_DIR / "sql"

SOURCES = ("recorded", "akshare")

# First session of the shipped sample; partitions start here.
FIRST_PARTITION = dt.date(2024, 12, 2)


@dataclass(frozen=True)
class Settings:
    source: str = "recorded"
    warehouse_path: Path = WAREHOUSE_DIR / "ashare.duckdb"
    live_landing: Path = WAREHOUSE_DIR / "landing"
    sample_landing: Path = SAMPLE_LANDING

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"ASHARE_SOURCE must be one of {SOURCES}, got {self.source!r}")

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            source=env.get("ASHARE_SOURCE", "recorded"),
            warehouse_path=Path(env.get("ASHARE_WAREHOUSE", WAREHOUSE_DIR / "ashare.duckdb")),
            live_landing=Path(env.get("ASHARE_LANDING", WAREHOUSE_DIR / "landing")),
            sample_landing=Path(env.get("ASHARE_SAMPLE", SAMPLE_LANDING)),
        )
