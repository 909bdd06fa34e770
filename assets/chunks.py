"""A range run works through its sessions a chunk at a time, each chunk in its own transaction."""

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Sequence

from etl import env

# A range run (a backfill is one run) works through its sessions a chunk at a time, each chunk written in its
# own transaction: memory follows the chunk, not the range, and a run that dies keeps the chunks it finished.
# About a month of sessions: ten years of the whole market is ~120 chunks of ~240,000 bar rows (both bases).
CHUNK_SESSIONS = env.integer("ASHARE_CHUNK_SESSIONS", 20, minimum=1)
# Tables of a few rows a session (indices: ~13, CCTV news: ~15) take this many times more sessions a chunk: a
# chunk's cost is then mostly fixed (a GX validation, a transaction), ~0.8 s, and 120 of them were 100 s.
NARROW = 50


def chunks(days: Sequence[dt.date], size: int | None = None) -> list[list[dt.date]]:
    """The days in order, in chunks of `size` (CHUNK_SESSIONS) sessions."""
    size = size or CHUNK_SESSIONS
    ordered = sorted(days)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def each_chunk(
    context,
    label: str,
    days: Sequence[dt.date],
    step: Callable[[list[dt.date]], dict],
    wh=None,
    narrow: bool = False,
) -> dict:
    """Run `step(chunk)` for every chunk of the days, oldest first; each call commits its own writes. Returns
    the chunks' metadata merged (counts summed, anything else from the last chunk), and logs each chunk.
    `wh`: the warehouse the steps use, kept open over the loop (Warehouse.session). `narrow`: a table of a
    few rows a session (NARROW times the sessions a chunk)."""
    merged: dict = {}
    parts = chunks(days, CHUNK_SESSIONS * (NARROW if narrow else 1))
    started = time.perf_counter()
    with wh.session() if wh is not None else contextlib.nullcontext():
        for i, chunk in enumerate(parts, 1):
            merged = _merge(merged, step(chunk))
            if len(parts) > 1:
                elapsed = time.perf_counter() - started
                context.log.info(
                    f"{label}: chunk {i}/{len(parts)} ({chunk[0]} .. {chunk[-1]}) committed, {elapsed:.0f} s, "
                    f"eta {elapsed / i * (len(parts) - i):.0f} s"
                )
    return {**merged, **({"chunks": len(parts)} if len(parts) > 1 else {})}


def _merge(merged: dict, metadata: dict) -> dict:
    out = dict(merged)
    for name, value in metadata.items():
        summable = isinstance(value, int) and not isinstance(value, bool)
        out[name] = out[name] + value if summable and name in out else value
    return out
