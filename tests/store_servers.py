"""A PostgreSQL and a Redis of the test's own, on free loopback ports, that a test can
stop and start again (outages). Never the shared ones on 5432 and 6379."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

import sqlalchemy as sa

from tests.servers import free_port

POSTGRES_USER = "postgres"


def _as_postgres(args, **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: its commands run as the postgres user then."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", POSTGRES_USER, "--"] + list(args)
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


class OwnPostgres:
    def __init__(self, work: Path) -> None:
        for tool in ("initdb", "pg_ctl"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is not installed: the outage tests start their own PostgreSQL")
        # Outside pytest's temporary directory, which only its owner can enter.
        self.directory = Path(tempfile.mkdtemp(prefix="intake-postgres-"))
        if os.geteuid() == 0:
            shutil.chown(self.directory, POSTGRES_USER)
        self.data = self.directory / "data"
        self.port = free_port()
        _as_postgres(["initdb", "-D", str(self.data), "-A", "trust", "-U", POSTGRES_USER, "--no-sync"])

    @property
    def url(self) -> str:
        return f"postgresql://{POSTGRES_USER}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(
            [
                "pg_ctl",
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.directory / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )

    def stop(self) -> None:
        _as_postgres(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"])

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def create_database(self, name: str) -> str:
        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
        engine.dispose()
        return self.url.rsplit("/", 1)[0] + "/" + name


class OwnRedis:
    def __init__(self, work: Path) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed: the outage tests start their own Redis")
        self.port = free_port()
        self.log = work / "redis.log"
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(self.log, "a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ):
                return
            time.sleep(0.1)
        raise TimeoutError("the test's Redis did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)
