"""Property-based fuzzing of every public and editor endpoint (schemathesis, live server).

Cases are generated from ``/api/v1/openapi.json`` of the running app and sent
over HTTP with an admin's session, so editor and admin routes are exercised
past authentication. Every response must be non-5xx, have a documented status,
content type and headers, and match its documented schema.

Half the cases that name a document, change or job get a real one (generated
ids almost never exist) so the fuzzer reaches the code behind the 404s.

``FASOU_FUZZ_EXAMPLES`` sets the cases per operation (``make test``: 5; the
larger run: ``FASOU_FUZZ_EXAMPLES=100 pytest tests/api/test_fuzz.py`` or
``python bench/api_fuzz.py``). The case count is printed and written to
``tests/_artifacts/fuzz.json``.
"""

from __future__ import annotations

import json
import os
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import EditorServer, fresh_copy
from tests.conftest import REPO, free_port

EXAMPLES = int(os.environ.get("FASOU_FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CASES: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()


@pytest.fixture(scope="module")
def fuzz_server(
    editor_corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EditorServer]:
    data_dir = fresh_copy(editor_corpus, tmp_path_factory.mktemp("fuzz") / "data")
    with EditorServer(data_dir, port=PORT) as server:
        server.runtime.accounts.create_user("fuzz-admin-7c1e", "fuzzing password 123", "admin")
        # Something to find behind the ids: a change and a finished job.
        doc_id = min(server.runtime.catalog.content_hashes())
        server.runtime.catalog.set_tags(doc_id, "topic", add=["labor"], editor="edna")
        job = server.runtime.workspace.submit_bulk(
            action="tag",
            facet="audience",
            values=["elderly"],
            ids=[doc_id],
            query=None,
            editor="edna",
        )
        server.wait_for_job(job.id, server.admin)
        yield server
    out = REPO / "tests" / "_artifacts"
    out.mkdir(exist_ok=True)
    summary = {
        "examples_per_operation": EXAMPLES,
        "cases": sum(CASES.values()),
        "operations": len(CASES),
        "by_operation": dict(sorted(CASES.items())),
        "statuses": {str(k): v for k, v in sorted(STATUSES.items())},
    }
    (out / "fuzz.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    print(
        f"\nfuzzing: {summary['cases']} cases over {summary['operations']} operations, "
        f"statuses {summary['statuses']}"
    )


def _app_schema() -> dict:
    """The app's OpenAPI document, built without starting it (collection happens before any
    server runs); ``test_fuzzed_schema_is_the_served_one`` checks it is what the live app
    serves at /api/v1/openapi.json."""
    from fasou.config import Settings
    from search_api.main import create_app

    return create_app(Settings(environment="development")).openapi()


OPENAPI = _app_schema()
PORT = free_port()  # known at collection, so every generated case knows where to go
schema = schemathesis.openapi.from_dict(OPENAPI)
schema.config.update(base_url=f"http://127.0.0.1:{PORT}")


def test_fuzzed_schema_is_the_served_one(fuzz_server: EditorServer) -> None:
    served = fuzz_server.client.get("/api/v1/openapi.json").json()
    assert served == OPENAPI


def _real_ids(server: EditorServer) -> dict[str, str]:
    catalog = server.runtime.catalog
    change = catalog.tag_changes(limit=1)
    jobs = server.runtime.workspace.jobs.list(limit=1)
    return {
        "doc_id": min(catalog.content_hashes()),
        "change_id": str(change[0]["id"]) if change else "1",
        "job_id": str(jobs[0].id) if jobs else "1",
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, fuzz_server: EditorServer) -> None:  # type: ignore[no-untyped-def]
    if case.path_parameters and zlib.crc32(repr(case.path_parameters).encode()) % 2:
        real = _real_ids(fuzz_server)
        for name in case.path_parameters:
            if name in real:
                case.path_parameters[name] = real[name]
    # A fresh admin session per case: a case may sign out or revoke what it was given.
    admin = fuzz_server.runtime.accounts.get_user("fuzz-admin-7c1e")
    token = fuzz_server.runtime.accounts.issue_session(admin).token
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    CASES[case.operation.label] += 1
    STATUSES[response.status_code] += 1
