"""Editors' tags survive a recrawl and ``fasou index rebuild`` — end to end, over HTTP.

(Migration: ``tests/indexer/test_tagging.py::test_tags_survive_migration_from_0002``.)
"""

from __future__ import annotations

import os
import subprocess
import sys

from indexer.catalog import Catalog
from indexer.importers import samples
from tests.api.conftest import EditorServer, wait_until
from tests.catalog_db import data_dir_env
from tests.conftest import REPO, TEST_SECRET_KEY


def test_tags_survive_recrawl_and_rebuild(editor_server: EditorServer) -> None:
    server = editor_server
    video = next(d for d in samples.iter_samples() if d.type == "video").finalize()
    response = server.client.patch(
        f"/api/v1/editor/documents/{video.id}/tags",
        json={"facet": "audience", "add": ["disabled"], "remove": video.audiences},
        headers=server.editor,
    )
    assert response.status_code == 200
    wait_until(lambda: video.id in server.search_ids(video.title, audience="disabled"))

    # A recrawl from another process's connection: the same video, new content, its own tags.
    crawler = Catalog.open(server.runtime.settings.catalog_url)
    try:
        recrawled = video.model_copy(
            update={"body": video.body + " 新增无障碍字幕说明", "content_hash": ""}
        )
        assert crawler.upsert([recrawled]).changed == 1
    finally:
        crawler.close()

    def updated() -> dict | None:
        doc = server.client.get(f"/api/v1/documents/{video.id}").json()
        return doc if doc["body"].endswith("新增无障碍字幕说明") else None

    document = wait_until(updated)
    assert document["audiences"] == ["disabled"]
    wait_until(lambda: video.id in server.search_ids("无障碍字幕说明", audience="disabled"))

    # `fasou index rebuild` while the server runs: a new generation from the catalog.
    generation = server.runtime.backend.generation_dir
    env = os.environ | {
        **data_dir_env(server.data_dir),
        "FASOU_ENVIRONMENT": "test",
        "FASOU_SECRET_KEY": TEST_SECRET_KEY,
    }
    rebuilt = subprocess.run(
        [sys.executable, "-m", "fasou", "index", "rebuild"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    wait_until(lambda: server.runtime.backend.generation_dir != generation)
    assert video.id in server.search_ids("无障碍字幕说明", audience="disabled")
    for old in video.audiences:
        assert video.id not in server.search_ids(video.title, audience=old)
