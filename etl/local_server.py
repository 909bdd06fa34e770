"""Servers the project starts on 127.0.0.1 for itself (Superset, the lake's PostgreSQL and S3 endpoint, the
Dagster webserver of `make ui-test`): a free port, and waiting until one answers."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, seconds: float, what: str, log: Path | None = None) -> None:
    """Return once `url` answers; SystemExit naming `what` (and its log) if `server` exits or time runs out."""
    see = f": see {log}" if log else ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{what} exited with {server.returncode} while starting{see}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{what} did not answer {url} within {seconds:.0f} s{see}")
