"""One pipeline process writes a warehouse at a time.

DuckDB admits one writer process, and the pipeline opens a connection per write: two runs on one file (a
`make demo` beside a scheduled run) would interleave until one of them loses the file lock mid-run. A run
therefore holds an advisory lock on `<warehouse>.lock` for its whole length; a second process waits for it
up to a timeout, or is refused at once, with a message naming the holder. Re-entrant within a process (the
demo takes it, then the run inside it takes it again).

A lake (`ducklake:…`, etl/warehouse/lake.py) takes several writer processes and retries their conflicts per
transaction: for its location the lock is no lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth), this process
_guard = threading.Lock()


class WarehouseBusy(RuntimeError):
    pass


def lock_path(warehouse: Path | str) -> Path:
    """Beside the file the path leads to: a symlink or another spelling of the path takes the same lock."""
    return Path(f"{Path(warehouse).resolve()}.lock")


def holder(warehouse: Path | str) -> dict:
    """Who holds (or last held) the lock: pid, host, since."""
    try:
        return json.loads(lock_path(warehouse).read_text(encoding="utf-8") or "{}")
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


@contextmanager
def writer_lock(warehouse: Path | str, timeout: float = 0.0, poll: float = 0.5) -> Iterator[None]:
    from etl.warehouse import is_lake

    if is_lake(warehouse):
        yield
        return
    path = lock_path(warehouse)
    key = str(path.resolve())
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if not reentered:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    who = holder(warehouse)
                    raise WarehouseBusy(
                        f"{warehouse} is being written by another pipeline process (pid {who.get('pid', '?')} on "
                        f"{who.get('host', '?')} since {who.get('since', '?')}); waited {timeout:.0f} s. Let it "
                        "finish (DuckDB admits one writer) or stop it, then run again."
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(
            fd,
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            ).encode(),
        )
        with _guard:
            _held[key] = (fd, 1)
    try:
        yield
    finally:
        with _guard:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
