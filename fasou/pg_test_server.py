"""A throw-away PostgreSQL server for tests and benchmarks (``scripts/pg-test-server``).

Why a real server and not a mock: the catalog's behaviour on PostgreSQL (locking,
isolation, DDL in migrations, JSON operators) is exactly what a test must exercise.
The cluster lives in a temp dir, listens only on 127.0.0.1 on a free port, trusts
local connections (nothing outside the machine can reach it) and is deleted on stop.
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres``
system user (Debian's package creates it) via ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

#: Where Debian puts the server binaries (initdb and postgres are not on PATH there).
_BIN_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin")
SUPERUSER = "postgres"


class PgServerError(RuntimeError):
    """Could not start; ``prerequisite_missing`` says the binaries are simply not installed."""

    def __init__(self, reason: str, *, prerequisite_missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.prerequisite_missing = prerequisite_missing


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl`` (newest version first), or None."""
    explicit = os.environ.get("FASOU_PG_BIN")
    if explicit:  # an operator's choice is final, found or not
        return Path(explicit) if (Path(explicit) / "initdb").is_file() else None
    candidates: list[str] = []
    for pattern in _BIN_GLOBS:
        candidates += sorted(glob.glob(pattern), key=_version_key, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    return None


def _version_key(path: str) -> tuple[int, ...]:
    digits = "".join(c if c.isdigit() else " " for c in path).split()
    return tuple(int(d) for d in digits)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgTestServer:
    """``with PgTestServer() as pg: pg.url`` — one cluster, one superuser, trust auth."""

    def __init__(self, base_dir: Path | None = None, *, port: int | None = None) -> None:
        self._own_dir = base_dir is None
        self.base_dir = Path(base_dir or tempfile.mkdtemp(prefix="fasou-pg-"))
        self.port = port or _free_port()
        self.bin_dir = find_bin_dir()
        self._run_as: list[str] = []

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` maintenance database."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def _cmd(self, tool: str, *args: str) -> list[str]:
        assert self.bin_dir is not None
        return [*self._run_as, str(self.bin_dir / tool), *args]

    def start(self, timeout: float = 60) -> PgTestServer:
        if self.bin_dir is None:
            raise PgServerError(
                "PostgreSQL server binaries (initdb) not found: apt-get install postgresql",
                prerequisite_missing=True,
            )
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PgServerError("running as root and no 'postgres' user to run as") from exc
            os.chown(self.base_dir, pw.pw_uid, pw.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]
        self.base_dir.chmod(0o700)
        init = subprocess.run(
            self._cmd(
                "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            ),
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if init.returncode != 0:
            raise PgServerError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        # Test clusters trade durability for speed; nothing here must survive a power cut.
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300 -c shared_buffers=64MB"
        )
        started = subprocess.run(
            self._cmd(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self.base_dir / "server.log"),
                "-o", options, "-w", "-t", str(int(timeout)), "start",
            ),
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if started.returncode != 0:
            log = (self.base_dir / "server.log").read_text(errors="replace")[-2000:]
            raise PgServerError(f"pg_ctl start failed: {started.stderr.strip()}\n{log}")
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise PgServerError("server did not accept connections") from None
                time.sleep(0.1)
        return self

    def stop(self, *, clean: bool = True) -> None:
        if self.bin_dir is not None and (self.data_dir / "postmaster.pid").exists():
            subprocess.run(
                self._cmd("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop"),
                capture_output=True, check=False,
            )  # fmt: skip
        if clean and self._own_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> PgTestServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def admin_execute(server_url: str, *statements: str) -> None:
    """Run statements that cannot run in a transaction (CREATE/DROP DATABASE)."""
    import psycopg

    conninfo = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
