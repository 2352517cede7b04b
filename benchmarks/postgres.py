"""A throwaway PostgreSQL server for tests and benchmarks, from Debian's `postgresql` package: a cluster in a scratch
folder.

initdb and pg_ctl refuse to run as root, and CI runs as root: there they run as the
`postgres` user (runuser) in a folder it owns. The server listens on 127.0.0.1 only, trusts
local connections and skips fsync: it holds nothing worth keeping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SERVERS = Path("/usr/lib/postgresql")


class PostgresMissing(RuntimeError):
    """Debian's PostgreSQL server is not installed."""


def binaries() -> Path:
    """The bin folder of the newest PostgreSQL installed under /usr/lib/postgresql."""
    found = sorted(SERVERS.glob("*/bin/initdb"), key=lambda path: int(path.parent.parent.name))
    if not found:
        raise PostgresMissing(f"no PostgreSQL server under {SERVERS}: apt-get install postgresql (.ci/run does)")
    return found[-1].parent


@contextmanager
def running_postgres() -> Iterator[str]:
    """A new cluster, started; yields the URL of its `postgres` database. Stopped and removed afterwards."""
    bin_dir = binaries()
    folder = Path(tempfile.mkdtemp(prefix="digits-pg-"))  # short: the socket's path has a length limit
    as_owner = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    try:
        subprocess.run([*as_owner, bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                        "--locale=C", "--no-sync"], check=True, capture_output=True)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        subprocess.run([*as_owner, bin_dir / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w", "-o", options,
                        "start"], check=True, capture_output=True)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_owner, bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """A new empty database on the server; returns its URL."""
    _admin(server_url, f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(server_url: str, name: str) -> None:
    """Drop a database, closing any connection still open to it (a killed writer's, say)."""
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(statement)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
