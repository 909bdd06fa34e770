"""Set up, start and stop the local Superset (`make superset`, `make superset-down`, `make superset-test`).

Superset runs from .superset-venv under gunicorn on 127.0.0.1, one worker with threads: on 2 cores a second
worker only doubles the start-up and the memory. Its state (SQLite metadata, secret key, log, pid) lives in
ASHARE_SUPERSET_HOME, warehouse/superset/state/ by default.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from etl import env
from etl.local_server import wait_for
from etl.settings import PROJECT_ROOT
from etl.superset.bundle import SUPERSET_DIR, dashboard_path, zip_bundle

VENV = PROJECT_ROOT / ".superset-venv"
CONFIG = SUPERSET_DIR / "superset_config.py"
LOADER = Path(__file__).with_name("load_bundle.py")


def home() -> Path:
    return Path(env.text("ASHARE_SUPERSET_HOME", str(SUPERSET_DIR / "state")))


def port() -> int:
    return env.integer("ASHARE_SUPERSET_PORT", 8088, minimum=1024, maximum=65535)


DEFAULT_LOGIN = ("admin", "admin")
MARTS_FILE = "published_marts"  # in the state directory: the path of the published file Superset serves


def credentials() -> tuple[str, str]:
    """Local only (the server listens on 127.0.0.1); set ASHARE_SUPERSET_PASSWORD before the first start. The
    default login is the local demo's, used only where the variable is not set at all: set but empty (a
    secret that did not arrive) is an error, never a fall-back to admin/admin."""
    for name in ("ASHARE_SUPERSET_USER", "ASHARE_SUPERSET_PASSWORD"):
        if name in os.environ and not os.environ[name].strip():
            raise env.SettingError(f"{name}='': set but empty; give a value, or unset it for the local demo's login")
    return env.text("ASHARE_SUPERSET_USER", DEFAULT_LOGIN[0]), env.text("ASHARE_SUPERSET_PASSWORD", DEFAULT_LOGIN[1])


def warn_default_login() -> None:
    if credentials()[1] == DEFAULT_LOGIN[1]:
        print(
            "WARNING: Superset's admin password is the default 'admin': fine for the local demo on 127.0.0.1, "
            "never for a server others reach. Set ASHARE_SUPERSET_PASSWORD before the first start.",
            file=sys.stderr,
        )


def _env(state: Path) -> dict[str, str]:
    user, password = credentials()
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(CONFIG),
        "ASHARE_SUPERSET_HOME": str(state),
        "ASHARE_SUPERSET_USER": user,
        "ASHARE_SUPERSET_PASSWORD": password,
        "VIRTUAL_ENV": str(VENV),
        "FLASK_APP": "superset",
    }


def prepare(marts: Path, state: Path) -> None:
    """Migrate the metadata, create the admin (first time) and import the bundle pointing at `marts`."""
    if not (VENV / "bin" / "gunicorn").exists():
        raise SystemExit(f"Superset is not installed in {VENV}: run `make superset` (it builds the environment)")
    if not marts.exists():
        raise SystemExit(f"no published marts at {marts}: run `make demo` first (it publishes them)")
    state.mkdir(parents=True, exist_ok=True)
    key = state / "secret_key"
    if not key.exists():
        key.write_text(secrets.token_urlsafe(48))
        key.chmod(0o600)
    bundle = state / "bundle.zip"
    bundle.write_bytes(zip_bundle(marts))
    # the one DuckDB file any connection may open (superset_config.py DB_CONNECTION_MUTATOR)
    (state / MARTS_FILE).write_text(str(marts.resolve()), encoding="utf-8")
    log = state / "setup.log"
    with log.open("wb") as out:  # migrations and the import talk a lot; the log keeps it
        done = subprocess.run(
            [str(VENV / "bin" / "python"), str(LOADER), str(bundle)],
            env=_env(state),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    lines = log.read_text(errors="replace").splitlines()
    if done.returncode:
        tail = "\n".join(lines[-25:])
        raise SystemExit(f"Superset's set-up failed ({LOADER.name}, exit {done.returncode}); {log} ends:\n{tail}")
    print(next((line for line in reversed(lines) if line.startswith("superset: ")), "superset: set up"))


def start(state: Path, at: int, log: Path) -> subprocess.Popen:
    """gunicorn in a session of its own (stopped as a group); returns once /health answers."""
    with log.open("ab") as out:
        server = subprocess.Popen(
            [
                str(VENV / "bin" / "gunicorn"),
                "--bind",
                f"127.0.0.1:{at}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "8",
                "--timeout",
                "120",
                "--limit-request-line",
                "0",
                "--limit-request-field_size",
                "0",
                "superset.app:create_app()",
            ],
            env=_env(state),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(f"http://127.0.0.1:{at}/health", server, 120, "Superset", log)
    except SystemExit:
        stop(server.pid)
        raise
    return server


def stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def up(marts: Path) -> str:
    state, at = home(), port()
    down()
    began = time.monotonic()
    prepare(marts, state)
    prepared = time.monotonic()
    server = start(state, at, state / "superset.log")
    (state / "superset.pid").write_text(str(server.pid))
    url = f"http://127.0.0.1:{at}{dashboard_path()}"
    user, password = credentials()
    print(
        f"Superset on {url} (log in as {user} / {password}); set-up and import {prepared - began:.0f} s, "
        f"start {time.monotonic() - prepared:.0f} s. Stop it with `make superset-down`."
    )
    warn_default_login()
    return url


def down() -> bool:
    pid_file = home() / "superset.pid"
    if not pid_file.exists():
        return False
    stop(int(pid_file.read_text()))
    pid_file.unlink()
    return True
