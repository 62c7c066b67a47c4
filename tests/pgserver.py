"""A throw-away PostgreSQL server for the test run.

Started once per session from the PostgreSQL binaries installed on the machine (Debian's
``postgresql`` package puts them in ``/usr/lib/postgresql/<version>/bin``; else ``pg_config``
or the PATH): ``initdb`` into a temporary folder (as the ``postgres`` user through ``runuser``
when the tests run as root, which initdb refuses to be), fsync off, listening on a free port
of 127.0.0.1 and on a socket in the same folder, with trust for local connections but for one
role that logs in with a password (the password tests). Each test gets a fresh database,
copied from a template (``CREATE DATABASE … TEMPLATE``): one holding the empty KPI Desk
schema (what ``kpidesk server init`` makes), or an empty one.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
PASSWORD_ROLE = "kpidesk_pw"
PASSWORD = "s3cret-Pass"
_counter = itertools.count(1)


def find_binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, or None where PostgreSQL is not installed."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if found and (Path(found) / "initdb").exists():
            return Path(found)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PgServer:
    binaries: Path
    folder: Path
    port: int
    as_postgres: bool
    started_in: float = 0.0

    @property
    def socket_dir(self) -> Path:
        return self.folder

    def url(self, dbname: str, *, user: str = SUPERUSER, **params: str) -> str:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}" + (
            f"?{query}" if query else ""
        )

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=True, cwd="/"
        )

    def start(self) -> None:
        began = time.perf_counter()
        data = self.folder / "data"
        self._run(
            str(self.binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        hba = data / "pg_hba.conf"
        rules = hba.read_text()
        hba.write_text(
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            f"local all {PASSWORD_ROLE} scram-sha-256\n" + rules
        )
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-o",
            f"-F -p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            " -c max_connections=200 -c shared_buffers=32MB",
            "start",
        )
        self.psql("postgres", f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")
        self.psql("postgres", "CREATE DATABASE kpidesk_empty")
        self.psql("postgres", "CREATE DATABASE kpidesk_schema")
        self.psql("postgres", f"GRANT ALL ON DATABASE kpidesk_schema TO {PASSWORD_ROLE}")
        from kpidesk.store.location import parse_server_url
        from kpidesk.store.postgres import BACKEND

        BACKEND.init_schema(parse_server_url(self.url("kpidesk_schema")))
        self.started_in = time.perf_counter() - began

    def psql(self, dbname: str, statement: str) -> str:
        return subprocess.run(
            [
                str(self.binaries / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.folder),
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                dbname,
                "-c",
                statement,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def new_database(self, *, schema: bool = True) -> str:
        """A fresh database's name, copied from a template (with the empty schema or not)."""
        name = f"t{os.getpid()}_{next(_counter)}"
        template = "kpidesk_schema" if schema else "kpidesk_empty"
        self.psql("postgres", f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def drop_database(self, name: str) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            self._run(
                str(self.binaries / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PgServer:
    """A started server; raises ``RuntimeError`` saying why when none can be started."""
    binaries = find_binaries()
    if binaries is None:
        raise LookupError(
            "PostgreSQL is not installed (Debian and Ubuntu: apt-get install postgresql)"
        )
    as_postgres = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="kpidesk-pg-"))
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    server = PgServer(binaries, folder, _free_port(), as_postgres)
    try:
        server.start()
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        detail = log.read_text()[-2000:] if log.exists() else ""
        server.stop()
        raise RuntimeError(f"PostgreSQL did not start: {error.stderr or error}\n{detail}") from None
    return server
