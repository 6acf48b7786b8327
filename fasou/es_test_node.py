"""A Python handle on ``scripts/es-test-node``: real Elasticsearch nodes for tests and benchmarks.

The script (see ``scripts/es_node/README.md``) runs genuine Elasticsearch 8.x
nodes from Maven Central artifacts, one JVM per node. This wrapper picks free
ports, starts and stops nodes, and tells a missing prerequisite (Java, Maven
on a cold cache — a reason to skip) from a real failure to start.
Only meaningful in a source checkout, where ``scripts/`` exists.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "es-test-node"

#: Failure reasons of the script that mean "this machine cannot run Elasticsearch".
_PREREQUISITES = (
    "Java not found",
    "no java executable",
    "Elasticsearch 8 needs Java",
    "Maven (mvn) not found",
    "javac not found",
    "mvn could not fetch",
)


class EsNodeError(RuntimeError):
    """The script failed; ``prerequisite_missing`` says whether Java/Maven were the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.prerequisite_missing = reason.startswith(_PREREQUISITES)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_range(nodes: int) -> int:
    """An http port P with P..P+n-1 and the transport ports P+100..P+100+n-1 all free."""
    for _ in range(200):
        port = random.randrange(20_000, 40_000)
        wanted = [port + i for i in range(nodes)] + [port + 100 + i for i in range(nodes)]
        if all(_port_free(p) for p in wanted):
            return port
    raise EsNodeError("no free port range found")


class EsTestCluster:
    """``nodes`` Elasticsearch nodes under ``base_dir`` (data, logs, pids)."""

    def __init__(
        self,
        base_dir: Path,
        *,
        nodes: int = 1,
        cluster_name: str = "fasou-test",
        env: dict[str, str] | None = None,
        timeout: int = 240,
    ) -> None:
        self.base_dir = Path(base_dir)
        self.nodes = nodes
        self.cluster_name = cluster_name
        self.env = os.environ | (env or {})
        self.timeout = timeout
        self.http_port = 0

    def _run(self, *args: str, timeout: float | None = None) -> str:
        if not SCRIPT.exists():
            raise EsNodeError(f"{SCRIPT} not found (a source checkout is needed)")
        command = [sys.executable, str(SCRIPT), *args, "--base-dir", str(self.base_dir)]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout or self.timeout + 60,
        )
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit status {done.returncode}"
            raise EsNodeError(reason.removeprefix("es-test-node: error: "))
        return done.stdout.strip()

    def start(self) -> EsTestCluster:
        """Start every node; tries other ports if the chosen ones are taken meanwhile."""
        for attempt in range(3):
            self.http_port = _free_port_range(self.nodes)
            try:
                self._run(
                    "start",
                    "--nodes",
                    str(self.nodes),
                    "--http-port",
                    str(self.http_port),
                    "--cluster-name",
                    self.cluster_name,
                    "--timeout",
                    str(self.timeout),
                )
                return self
            except EsNodeError as exc:
                if "already in use" not in exc.reason or attempt == 2:
                    raise
        return self  # pragma: no cover

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def urls(self) -> str:
        """Every node's URL, comma-separated (``FASOU_ES_URL`` for fail-over)."""
        return ",".join(f"http://127.0.0.1:{self.http_port + i}" for i in range(self.nodes))

    def node_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.http_port + index}"

    def stop_node(self, index: int) -> None:
        self._run("stop-node", str(index))

    def start_node(self, index: int) -> None:
        self._run("start-node", str(index))

    def stop(self) -> None:
        self._run("stop", timeout=120)

    def __enter__(self) -> EsTestCluster:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
