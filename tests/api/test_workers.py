"""``fasou serve --workers 2`` for real: both workers serve what either indexed, and when the
leader (the one running the index worker and the jobs) is killed, another takes over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from indexer.catalog import Catalog
from indexer.catalog.leases import Leases
from search_api.auth.accounts import Accounts
from search_api.core.access_log import INSTANCE_HEADER
from search_api.core.leader import LEASE_NAME
from tests.api.conftest import PASSWORD, fresh_copy, wait_until
from tests.conftest import GENEROUS_RATE_LIMITS, TEST_SECRET_KEY, free_port

pytestmark = pytest.mark.slow

LEASE_TTL = 3.0
QUERY = "劳动争议 调解"


class Workers:
    """A ``fasou serve --workers 2`` subprocess on a free port."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = (data_dir / "serve.log").open("w")
        env = os.environ | {
            "FASOU_DATA_DIR": str(data_dir),
            "FASOU_ENVIRONMENT": "test",
            "FASOU_SECRET_KEY": TEST_SECRET_KEY,
            "FASOU_RATE_LIMITS": json.dumps(GENEROUS_RATE_LIMITS),
            "FASOU_LEADER_LEASE_SECONDS": str(LEASE_TTL),
            "FASOU_INDEX_SYNC_INTERVAL": "0.2",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fasou", "serve", "--workers", "2", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        """A fresh connection each time, so the kernel may hand it to either worker."""
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            return client.get(path, **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def server_log(self) -> str:
        return (self.data_dir / "serve.log").read_text(encoding="utf-8", errors="replace")


@pytest.fixture()
def workers(editor_corpus: Path, tmp_path: Path) -> Iterator[Workers]:
    data_dir = fresh_copy(editor_corpus, tmp_path / "data")
    catalog = Catalog.open(f"sqlite:///{data_dir / 'catalog.db'}")
    Accounts(catalog, TEST_SECRET_KEY, 60).create_user("edna", PASSWORD, "editor")
    catalog.close()
    server = Workers(data_dir)
    try:

        def ready() -> bool:
            try:
                return server.get("/api/v1/healthz/ready").status_code == 200
            except httpx.TransportError:
                assert server.process.poll() is None, server.server_log()
                return False

        wait_until(ready, timeout=120, every=0.2)
        yield server
    finally:
        server.stop()


def instances(server: Workers, want: int = 2, timeout: float = 30) -> dict[str, str]:
    """instance id → role, over fresh connections until ``want`` workers answered."""
    seen: dict[str, str] = {}

    def enough() -> bool:
        response = server.get("/api/v1/healthz/live")
        seen[response.headers[INSTANCE_HEADER]] = response.json()["role"]
        return len(seen) >= want

    wait_until(enough, timeout=timeout, every=0.01)
    return seen


def seen_by_every_worker(server: Workers, doc_id: str, audience: str, ids: set[str]) -> None:
    """Search over fresh connections until each instance in ``ids`` returned ``doc_id``."""
    found: set[str] = set()

    def everywhere() -> bool:
        response = server.get(
            "/api/v1/search", params={"q": QUERY, "audience": audience, "size": 50}
        )
        assert response.status_code == 200, response.text
        if doc_id in {hit["id"] for hit in response.json()["hits"]}:
            found.add(response.headers[INSTANCE_HEADER])
        return ids <= found

    wait_until(everywhere, timeout=20, every=0.01)


def leader_pid(data_dir: Path) -> int | None:
    catalog = Catalog.open(f"sqlite:///{data_dir / 'catalog.db'}")
    try:
        lease = Leases(catalog).get(LEASE_NAME)
    finally:
        catalog.close()
    if lease is None or lease.expired:
        return None
    return int(lease.owner.split(":")[1])


def tag(server: Workers, headers: dict[str, str], audience: str) -> str:
    response = server.get("/api/v1/search", params={"q": QUERY, "type": "statute_article"})
    doc_id = response.json()["hits"][0]["id"]
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        patched = client.patch(
            f"/api/v1/editor/documents/{doc_id}/tags",
            json={"facet": "audience", "add": [audience]},
            headers=headers,
        )
    assert patched.status_code == 200, patched.text
    return doc_id


def test_two_workers_share_the_index_and_the_leader_fails_over(workers: Workers) -> None:
    server = workers
    roles = instances(server)
    assert sorted(roles.values()) == ["follower", "leader"], roles  # exactly one leads
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        login = client.post("/api/v1/auth/token", data={"username": "edna", "password": PASSWORD})
    assert login.status_code == 200, login.text
    editor = {"Authorization": f"Bearer {login.json()['access_token']}"}

    # A tag written through whichever worker reaches the index (the leader's worker)
    # and every worker's searches within seconds.
    doc_id = tag(server, editor, "community_corrections")
    seen_by_every_worker(server, doc_id, "community_corrections", set(roles))

    # Kill the leader outright: its lease expires and the other worker takes over.
    killed = leader_pid(server.data_dir)
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    new_leader = wait_until(
        lambda: (pid := leader_pid(server.data_dir)) not in (None, killed) and pid,
        timeout=LEASE_TTL * 5,
        every=0.1,
    )
    assert new_leader != killed
    # The new leader indexes: a second tag again reaches both (uvicorn has restarted the
    # killed worker meanwhile, so two workers answer again).
    roles = instances(server)
    doc_id = tag(server, editor, "elderly")
    seen_by_every_worker(server, doc_id, "elderly", set(roles))
    assert "this process leads" in server.server_log()
