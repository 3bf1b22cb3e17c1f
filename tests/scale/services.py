"""Throwaway PostgreSQL and Redis servers on loopback for the scale-out tests.

Debian's `postgresql` and `redis-server` packages provide the binaries
(scripts/install_services.sh installs them; `make test` runs it first). Each
server runs on a free port with its data in a temporary directory, and is
removed when the test module ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import psycopg2
import pytest
import redis

from tests.servers import ROOT, free_port, terminate

INSTALL = ROOT / "scripts" / "install_services.sh"


def _postgres_bindir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def ensure_installed() -> None:
    """Install the servers when missing; skip (with the reason) only if that is impossible."""
    if _postgres_bindir() and shutil.which("redis-server"):
        return
    result = subprocess.run(["bash", str(INSTALL)], capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not (_postgres_bindir() and shutil.which("redis-server")):
        pytest.skip(
            "PostgreSQL and Redis are not installed and scripts/install_services.sh could not "
            f"install them (needs root or sudo and Debian's apt): {result.stderr[-500:]}"
        )


@dataclass
class Postgres:
    """A running throwaway PostgreSQL server (trust authentication, loopback only)."""

    port: int
    directory: Path
    bindir: Path
    run_as: List[str]
    user: str = "lantern"
    database: str = "lantern"

    def env(self) -> Dict[str, str]:
        """Lantern's settings for this server."""
        return {
            "LANTERN_TRACKER_STORE": "postgres",
            "LANTERN_DB_HOST": "127.0.0.1",
            "LANTERN_DB_PORT": str(self.port),
            "LANTERN_DB_NAME": self.database,
            "LANTERN_DB_USER": self.user,
        }

    def connect(self) -> psycopg2.extensions.connection:
        """A connection to Lantern's database."""
        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname=self.database
        )

    def stop(self) -> None:
        """Stop the server and delete its data."""
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data")]
            + ["-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres() -> Postgres:
    """initdb + pg_ctl start on a free port; as the `postgres` user when run as root."""
    bindir = _postgres_bindir()
    assert bindir is not None
    directory = Path(tempfile.mkdtemp(prefix="lantern-pg-"))
    run_as: List[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        account = pwd.getpwnam("postgres")
        os.chown(directory, account.pw_uid, account.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = directory / "data"
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "lantern"]
        + ["--auth=trust", "--encoding=UTF8", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(directory / "log")]
        + ["-o", options, "-w", "-t", "60", "start"],
        check=True,
        capture_output=True,
        timeout=90,
    )
    server = Postgres(port, directory, bindir, run_as)
    admin = psycopg2.connect(host="127.0.0.1", port=port, user="lantern", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute("CREATE DATABASE lantern")
    admin.close()
    return server


@dataclass
class Redis:
    """A running throwaway Redis server (no persistence, loopback only)."""

    port: int
    process: subprocess.Popen
    directory: Path

    def env(self) -> Dict[str, str]:
        """Lantern's settings for this server."""
        return {
            "LANTERN_LOCK_STORE": "redis",
            "LANTERN_REDIS_HOST": "127.0.0.1",
            "LANTERN_REDIS_PORT": str(self.port),
        }

    def client(self, db: int = 1) -> redis.StrictRedis:
        """A client for database `db` (Lantern's default is 1)."""
        return redis.StrictRedis(host="127.0.0.1", port=self.port, db=db)

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        terminate(self.process)
        shutil.rmtree(self.directory, ignore_errors=True)


def start_redis() -> Redis:
    """redis-server on a free port, in the foreground, saving nothing."""
    directory = Path(tempfile.mkdtemp(prefix="lantern-redis-"))
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--daemonize", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Redis(port, process, directory)
    deadline = time.monotonic() + 30
    while True:
        try:
            server.client().ping()
            return server
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.1)
