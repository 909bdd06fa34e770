"""Where things live and which source feeds the warehouse. Environment variables override defaults."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from etl import env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"
SAMPLE_LANDING = WAREHOUSE_DIR / "sample" / "landing"
SQL_DIR = WAREHOUSE_DIR / "sql"

SOURCES = ("recorded", "akshare")

FIRST_SSE_SESSION = dt.date(1990, 12, 19)  # the exchange's first session: no history is older
# Where the partitions start unless ASHARE_HISTORY_START says otherwise: the shipped sample's first session
# (its index histories; stock bars start later, see docs/sample.md), or, live, the first session of 2005
# (a decade of the whole market and more; any session from 1990-12-19 may be asked for).
HISTORY_START = {"recorded": dt.date(2022, 1, 4), "akshare": dt.date(2005, 1, 4)}


@dataclass(frozen=True)
class Settings:
    source: str = "recorded"
    # a DuckDB file (the default), or a DuckLake in PostgreSQL: "ducklake:postgres:<libpq string>" (etl/lake/)
    warehouse: str = str(WAREHOUSE_DIR / "ashare.duckdb")
    live_landing: Path = WAREHOUSE_DIR / "landing"
    sample_landing: Path = SAMPLE_LANDING
    history_start: dt.date | None = None  # None: HISTORY_START of the source

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"ASHARE_SOURCE must be one of {SOURCES}, got {self.source!r}")
        check_warehouse_file(self.warehouse)
        if self.history_start is not None:
            from etl.market import is_trading_day

            if self.history_start < FIRST_SSE_SESSION or not is_trading_day(self.history_start):
                raise ValueError(
                    f"ASHARE_HISTORY_START={self.history_start}: not an SSE session (the first was "
                    f"{FIRST_SSE_SESSION}; the partitions start on a session)"
                )

    @property
    def first_session(self) -> dt.date:
        """The first partition: where the warehouse's history starts."""
        return self.history_start or HISTORY_START[self.source]

    @classmethod
    def from_env(cls) -> Settings:
        data_docs()  # read as the code loads too: a bad value fails here, not in the run's first gate
        return cls(
            source=env.choice("ASHARE_SOURCE", "recorded", SOURCES),
            warehouse=env.text("ASHARE_WAREHOUSE", str(WAREHOUSE_DIR / "ashare.duckdb")),
            live_landing=Path(env.text("ASHARE_LANDING", str(WAREHOUSE_DIR / "landing"))),
            sample_landing=Path(env.text("ASHARE_SAMPLE", str(SAMPLE_LANDING))),
            history_start=env.date("ASHARE_HISTORY_START"),
        )


def data_docs() -> bool:
    """ASHARE_DATA_DOCS: render Great Expectations' data docs (etl/gate/gx.py), 1 by default."""
    return env.flag("ASHARE_DATA_DOCS", True)


def check_warehouse_file(location: str) -> None:
    """ASHARE_WAREHOUSE, where it names a file: a regular file or none yet, in a directory that exists. A FIFO,
    a device or a directory there would hang or fail DuckDB's open deep inside a run."""
    import stat

    if location.startswith("ducklake:"):
        return  # the lake backend checks its own (etl/warehouse/lake.py)
    path = Path(location).expanduser()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise env.SettingError(
                f"ASHARE_WAREHOUSE={location!r}: its directory {path.parent} does not exist"
            ) from None
        return
    except OSError as exc:
        raise env.SettingError(f"ASHARE_WAREHOUSE={location!r}: cannot be read ({exc})") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "no regular file"
        raise env.SettingError(
            f"ASHARE_WAREHOUSE={location!r}: {kind}; expected a DuckDB file (or ducklake:postgres:…, docs/scale-out.md)"
        )
