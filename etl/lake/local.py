"""A lake on this machine, for `make lake-up` / `lake-demo` / `lake-test`: a real PostgreSQL cluster (Debian's
`postgresql`) holding the DuckLake catalog and Dagster's runs and events, and optionally a local S3 endpoint
(moto's server) for the data path. Everything lives under warehouse/lake/ (ASHARE_LAKE_HOME):

    pg/            the cluster's data directory (owned by user `postgres` when run as root: initdb refuses root)
    env.sh         the settings a lake run needs (sourced by the Makefile's lake targets)
    .dagster/      DAGSTER_HOME: dagster.yaml from warehouse/dagster-lake.yaml
    data/          the lake's Parquet files (or s3://ashare-lake/data/ with --s3)

    python -m etl.lake.local up [--s3]    # start (initialise on first use); prints the env file
    python -m etl.lake.local down         # stop both servers; the data stay
    python -m etl.lake.local down --purge # stop and delete warehouse/lake/

The cluster listens on 127.0.0.1 only, on a free port, with Unix sockets off; authentication is `trust`,
which is right for a throw-away local cluster and wrong anywhere else (docs/scale-out.md).
"""

from __future__ import annotations

import argparse
import glob
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.local_server import free_port
from etl.settings import WAREHOUSE_DIR

HOME = Path(os.environ.get("ASHARE_LAKE_HOME", WAREHOUSE_DIR / "lake"))
USER = "lake"  # the cluster's superuser; the catalog database and Dagster's database are its
DATABASES = ("lake", "dagster")
BUCKET = "ashare-lake"
TEMPLATE = WAREHOUSE_DIR / "dagster-lake.yaml"


class LakeSetupError(RuntimeError):
    pass


def pg_bin() -> Path:
    """Debian's server binaries (initdb, pg_ctl are not on PATH); the newest installed version."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise LakeSetupError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install Debian's `postgresql` "
            "(make lake-up does, with apt, as root or through sudo)"
        )
    return Path(found[-1]).parent


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _as_owner(args: list[str]) -> list[str]:
    """PostgreSQL's tools refuse to run as root: run them as `postgres` then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _own(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise LakeSetupError(f"{what} failed ({shlex.join(args)}):\n{done.stdout}{done.stderr}")


def _read_env() -> dict[str, str]:
    path = HOME / "env.sh"
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            out[key] = shlex.split(value)[0] if value else ""
    return out


def _pg_running(data: Path) -> bool:
    return (
        subprocess.run(_as_owner([str(pg_bin() / "pg_ctl"), "-D", str(data), "status"]), capture_output=True).returncode
        == 0
    )


def start_postgres() -> int:
    data = HOME / "pg"
    previous = _read_env().get("ASHARE_LAKE_PG_PORT")
    if _pg_running(data):
        if previous:
            return int(previous)
        _stop_postgres(data)  # running, but on a port nobody wrote down: start again on a known one
    if not (data / "PG_VERSION").exists():
        _own(data)
        _run(
            _as_owner(
                [str(pg_bin() / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale"]
            ),
            "initdb",
        )
    port = int(previous) if previous and _port_free(int(previous)) else free_port()  # keep the address stable
    options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' -c max_connections=200"
    log = data / "server.log"
    _run(
        _as_owner([str(pg_bin() / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
        "pg_ctl start",
    )
    _create_databases(port)
    return port


def _stop_postgres(data: Path) -> None:
    _run(_as_owner([str(pg_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]), "pg_ctl stop")


@contextmanager
def admin(port: int) -> Iterator:
    """A cursor on the local cluster's `postgres` database, autocommitting (CREATE DATABASE needs it)."""
    import psycopg2

    con = psycopg2.connect(host="127.0.0.1", port=port, user=USER, dbname="postgres")
    con.autocommit = True
    try:
        with con.cursor() as cur:
            yield cur
    finally:
        con.close()


def location(port: int, name: str) -> str:
    """ASHARE_WAREHOUSE for a lake whose catalog is database `name` of the local cluster."""
    return f"ducklake:postgres:dbname={name} host=127.0.0.1 port={port} user={USER}"


def _create_databases(port: int) -> None:
    with admin(port) as cur:
        for name in DATABASES:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')


def recreate_database(port: int, name: str) -> str:
    """An empty database `name` on the local cluster (dropped first if it exists); returns its lake location."""
    with admin(port) as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    return location(port, name)


def start_s3() -> int:
    """moto's S3 server on 127.0.0.1 and a free port (state in memory: the bucket lives as long as it does)."""
    port = free_port()
    server = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if server is None:
        raise LakeSetupError(f"moto_server is not in {Path(sys.executable).parent}: run `uv sync --locked` (dev group)")
    with open(HOME / "s3.log", "ab") as log:  # the server keeps its own descriptor
        proc = subprocess.Popen(
            [server, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, start_new_session=True
        )
    (HOME / "s3.pid").write_text(str(proc.pid), encoding="utf-8")
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise LakeSetupError(f"the local S3 endpoint did not start; see {HOME / 's3.log'}") from None
            time.sleep(0.2)
    import boto3

    boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="lake",
        aws_secret_access_key="lake",
        region_name="us-east-1",
    ).create_bucket(Bucket=BUCKET)
    return port


def stop_s3() -> None:
    pid_file = HOME / "s3.pid"
    if pid_file.exists():
        try:
            os.killpg(int(pid_file.read_text(encoding="utf-8")), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass
        pid_file.unlink()


def up(s3: bool = False) -> dict[str, str]:
    HOME.mkdir(parents=True, exist_ok=True)
    port = start_postgres()
    env = {
        "ASHARE_WAREHOUSE": location(port, "lake"),
        "ASHARE_LAKE_DATA": str(HOME / "data") + "/",
        "ASHARE_LAKE_HOME": str(HOME),
        "ASHARE_LAKE_PG_PORT": str(port),
        "ASHARE_DAGSTER_PG_URL": f"postgresql+psycopg2://{USER}@127.0.0.1:{port}/dagster",
        "DAGSTER_HOME": str(HOME / ".dagster"),
        "ASHARE_GX_DIR": str(HOME / "gx"),
    }
    if s3:
        # moto keeps objects in memory: a lake on it lives as long as the endpoint, so its catalog starts
        # afresh with it (database lake_s3; the directory lake in database `lake` is left as it is)
        stop_s3()
        s3_port = start_s3()
        env |= {
            "ASHARE_WAREHOUSE": recreate_database(port, "lake_s3"),
            "ASHARE_LAKE_DATA": f"s3://{BUCKET}/data/",
            "ASHARE_LAKE_S3_ENDPOINT": f"127.0.0.1:{s3_port}",
            "ASHARE_LAKE_S3_USE_SSL": "0",
            "AWS_ACCESS_KEY_ID": "lake",
            "AWS_SECRET_ACCESS_KEY": "lake",
        }
    dagster_home = HOME / ".dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATE, dagster_home / "dagster.yaml")
    lines = ["# written by python -m etl.lake.local up; sourced by the Makefile's lake targets"]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in env.items()]
    (HOME / "env.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return env


def down(purge: bool = False) -> None:
    data = HOME / "pg"
    if (data / "PG_VERSION").exists() and _pg_running(data):
        _stop_postgres(data)
    stop_s3()
    if purge:
        shutil.rmtree(HOME, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m etl.lake.local", description="a local lake for make lake-*")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up")
    start.add_argument("--s3", action="store_true", help="data on a local S3 endpoint instead of a directory")
    stop = sub.add_parser("down")
    stop.add_argument("--purge", action="store_true", help="also delete warehouse/lake/")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            env = up(args.s3)
            print(f"lake up: PostgreSQL on 127.0.0.1:{env['ASHARE_LAKE_PG_PORT']}, data {env['ASHARE_LAKE_DATA']}")
            print(f"settings: {HOME / 'env.sh'}  (set -a; . {HOME / 'env.sh'}; set +a)")
        else:
            down(args.purge)
            print("lake down" + (" and purged" if args.purge else ""))
    except LakeSetupError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
