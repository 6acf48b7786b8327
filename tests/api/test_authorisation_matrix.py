"""Every endpoint × every kind of caller gets exactly the expected status, over HTTP.

Callers: anonymous; a resident with a profile id (still anonymous to the API);
an editor and an admin (login sessions); an editor's read-only API token; an
expired session; a revoked API token. A credential is minted for every request
(a request may revoke it: logout), and so is any resource a request consumes
(a change to undo, a finished job to undo, a user to change).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from indexer.catalog.tables import suggested_tags
from search_api.auth.roles import Scope
from tests.api.conftest import PASSWORD, EditorServer, wait_until

ROLES = ("anonymous", "resident", "editor", "admin", "read_only_token", "expired", "revoked")
PROFILE = "p-3f9a1c"
_names = itertools.count()

#: Expected status per role, built from a few patterns.
PUBLIC = dict.fromkeys(ROLES, 200) | {"expired": 401, "revoked": 401}
OPEN = dict.fromkeys(ROLES, 200)  # health, schema, page: credentials are not looked at


def signed_in(editor: int, admin: int | None = None, read_only: int | None = None) -> dict:
    """Anonymous callers and bad tokens get 401; the rest as given."""
    return dict.fromkeys(ROLES, 401) | {
        "editor": editor,
        "admin": editor if admin is None else admin,
        "read_only_token": editor if read_only is None else read_only,
    }


@dataclass
class Endpoint:
    method: str
    path: str | Callable[[EditorServer], str]
    expected: dict[str, int]
    json: Any = None
    data: dict[str, str] | None = None
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        path = self.path if isinstance(self.path, str) else self.path.__name__
        return f"{self.method} {path}"


def first_doc(server: EditorServer) -> str:
    """A fixed document (the smallest id; tag writes must not change which one)."""
    return min(server.runtime.catalog.content_hashes())


def document(server: EditorServer) -> str:
    return f"/api/v1/documents/{first_doc(server)}"


def editor_document(server: EditorServer) -> str:
    return f"/api/v1/editor/documents/{first_doc(server)}"


def document_tags(server: EditorServer) -> str:
    return f"/api/v1/editor/documents/{first_doc(server)}/tags"


def document_suggestions(server: EditorServer) -> str:
    return f"/api/v1/editor/documents/{first_doc(server)}/suggestions"


def fresh_change(server: EditorServer) -> str:
    doc_id = first_doc(server)
    value = ["labor", "debt", "criminal", "consumer"][next(_names) % 4]
    server.runtime.catalog.set_tags(doc_id, "topic", add=[value], editor="edna")
    change = server.runtime.catalog.tag_changes(doc_id=doc_id, limit=1)[0]
    return f"/api/v1/editor/audit/{change['id']}/undo"


def some_job(server: EditorServer) -> str:
    return f"/api/v1/editor/jobs/{finished_job(server)}"


def finished_job(server: EditorServer) -> int:
    """A bulk job that changed something (so there is something to undo)."""
    value = ["farmers", "veterans", "disabled", "women"][next(_names) % 4]
    server.runtime.catalog.set_tags(first_doc(server), "audience", clear=[value], editor="edna")
    job = server.runtime.workspace.submit_bulk(
        action="tag",
        facet="audience",
        values=[value],
        ids=[first_doc(server)],
        query=None,
        editor="edna",
    )
    wait_until(lambda: server.runtime.workspace.jobs.get(job.id).status == "done")
    return job.id


def job_undo(server: EditorServer) -> str:
    return f"/api/v1/editor/jobs/{finished_job(server)}/undo"


def editor_owned_token(server: EditorServer) -> str:
    user = server.runtime.accounts.get_user("edna")
    issued = server.runtime.accounts.issue_api_token(user, "bot", [Scope.read], days=1)
    return f"/api/v1/auth/tokens/{issued.id}"


def existing_profile(server: EditorServer) -> str:
    """A resident profile that exists (created per request: DELETE erases it)."""
    from fasou.profiles import Declared

    client = f"{PROFILE}-{next(_names)}"
    server.runtime.profiles.put(client, Declared(region="浙江省/金华市/东阳市"))
    return f"/api/v1/profiles/{client}"


def fresh_user(server: EditorServer) -> str:
    name = f"user{next(_names)}"
    server.runtime.accounts.create_user(name, PASSWORD, "editor")
    return f"/api/v1/admin/users/{name}"


ENDPOINTS = [
    Endpoint("GET", "/api/v1/search", PUBLIC, params={"q": "拖欠工资"}),
    Endpoint("GET", document, PUBLIC),
    Endpoint("GET", "/api/v1/suggest", PUBLIC, params={"q": "ldht"}),
    Endpoint("GET", "/api/v1/taxonomy", PUBLIC),
    Endpoint("GET", "/api/v1/places", PUBLIC),
    Endpoint("GET", "/api/v1/feed", PUBLIC, params={"profile": PROFILE}),
    Endpoint("GET", existing_profile, PUBLIC),
    Endpoint("PUT", existing_profile, PUBLIC, json={"age_band": "60_plus"}),
    Endpoint(
        "DELETE",
        existing_profile,
        PUBLIC
        | {"anonymous": 204, "resident": 204, "editor": 204, "admin": 204, "read_only_token": 204},
    ),
    Endpoint(
        "POST",
        "/api/v1/events",
        PUBLIC
        | dict.fromkeys(("anonymous", "resident", "editor", "admin", "read_only_token"), 204),
        json=lambda server: {"profile": PROFILE, "kind": "useful", "doc_id": first_doc(server)},
    ),
    Endpoint("GET", "/api/v1/healthz", OPEN),
    Endpoint("GET", "/api/v1/openapi.json", OPEN),
    Endpoint("GET", "/", OPEN),
    Endpoint("POST", "/api/v1/auth/token", OPEN, data={"username": "edna", "password": PASSWORD}),
    Endpoint("GET", "/api/v1/auth/me", signed_in(200)),
    Endpoint("POST", "/api/v1/auth/logout", signed_in(204)),
    Endpoint("GET", "/api/v1/auth/tokens", signed_in(200)),
    Endpoint(
        "POST",
        "/api/v1/auth/tokens",
        signed_in(201, read_only=403),  # API tokens come from a signed-in session only
        json={"name": "ci", "scopes": ["editor:read"], "days": 7},
    ),
    Endpoint("DELETE", editor_owned_token, signed_in(200)),
    Endpoint("GET", "/api/v1/editor/vocabulary", signed_in(200)),
    Endpoint("GET", "/api/v1/editor/documents", signed_in(200), params={"q": "工资"}),
    Endpoint("GET", editor_document, signed_in(200)),
    Endpoint(
        "PATCH",
        document_tags,
        signed_in(200, read_only=403),
        json={"facet": "audience", "add": ["elderly"]},
    ),
    Endpoint(
        "POST",
        document_suggestions,
        signed_in(200, read_only=403),
        json={"facet": "topic", "value": "labor", "decision": "accept"},
    ),
    Endpoint("GET", "/api/v1/editor/review", signed_in(200)),
    Endpoint("GET", "/api/v1/editor/audit", signed_in(200)),
    Endpoint("POST", fresh_change, signed_in(200, read_only=403)),
    Endpoint(
        "POST",
        "/api/v1/editor/jobs",
        signed_in(202, read_only=403),
        json={
            "action": "tag",
            "facet": "topic",
            "values": ["labor"],
            "selection": {"query": {"q": "工资", "type": ["service"]}},
        },
    ),
    Endpoint("GET", "/api/v1/editor/jobs", signed_in(200)),
    Endpoint("GET", some_job, signed_in(200)),
    Endpoint("POST", job_undo, signed_in(202, read_only=403)),
    Endpoint("GET", "/api/v1/admin/users", signed_in(403, admin=200)),
    Endpoint("GET", "/api/v1/admin/crawls", signed_in(403, admin=200)),
    Endpoint("GET", "/api/v1/admin/crawls/quarantine", signed_in(403, admin=200)),
    Endpoint(
        "POST",
        "/api/v1/admin/users",
        signed_in(403, admin=201),
        json={"username": "placeholder", "password": PASSWORD, "role": "editor"},
    ),
    Endpoint("PATCH", fresh_user, signed_in(403, admin=200), json={"disabled": True}),
    Endpoint("GET", "/editor/", dict.fromkeys(ROLES, 303)),  # console: cookie sessions only
]


def credentials(server: EditorServer, role: str) -> dict[str, str]:
    accounts = server.runtime.accounts
    editor, admin = accounts.get_user("edna"), accounts.get_user("ada")

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    if role == "anonymous":
        return {}
    if role == "resident":
        return {"X-Fasou-Profile": PROFILE}
    if role == "editor":
        return bearer(accounts.issue_session(editor).token)
    if role == "admin":
        return bearer(accounts.issue_session(admin).token)
    if role == "read_only_token":
        return bearer(accounts.issue_api_token(editor, "ro", [Scope.read], days=1).token)
    if role == "expired":
        return bearer(accounts.issue_session(editor, lifetime=timedelta(seconds=-1)).token)
    if role == "revoked":
        issued = accounts.issue_api_token(editor, "old", [Scope.read, Scope.write], days=1)
        response = server.client.delete(
            f"/api/v1/auth/tokens/{issued.id}", headers=bearer(issued.token)
        )
        assert response.status_code == 200 and response.json()["revoked"]
        return bearer(issued.token)
    raise ValueError(role)


@pytest.fixture(scope="module")
def matrix_server(editor_server: EditorServer) -> EditorServer:
    with editor_server.runtime.catalog.writing() as conn:
        conn.execute(
            suggested_tags.insert().values(
                doc_id=first_doc(editor_server),
                facet="topic",
                value="labor",
                confidence=0.4,
                provenance="rule:劳动",
                model_version="test-1",
            )
        )
    return editor_server


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_status_for_every_endpoint_and_role(
    matrix_server: EditorServer, endpoint: Endpoint, role: str
) -> None:
    server = matrix_server
    path = endpoint.path if isinstance(endpoint.path, str) else endpoint.path(server)
    body = endpoint.json(server) if callable(endpoint.json) else endpoint.json
    if endpoint.json and endpoint.path == "/api/v1/admin/users":
        body = dict(body) | {"username": f"new{next(_names)}"}
    params = dict(endpoint.params)
    if role == "resident":
        params["profile"] = PROFILE
    response = server.client.request(
        endpoint.method,
        path,
        params=params,
        json=body,
        data=endpoint.data,
        headers=credentials(server, role),
        follow_redirects=False,
    )
    expected = endpoint.expected[role]
    assert response.status_code == expected, (role, str(endpoint), response.text[:300])
    if expected == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
        code = response.json()["code"]
        assert code == {"expired": "token_expired", "revoked": "token_revoked"}.get(
            role, "not_authenticated"
        )


def test_matrix_covers_every_api_route(matrix_server: EditorServer) -> None:
    """A route added without a row in the matrix fails here."""
    spec = matrix_server.client.get("/api/v1/openapi.json").json()
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    named = {
        "document": "/api/v1/documents/{doc_id}",
        "editor_document": "/api/v1/editor/documents/{doc_id}",
        "document_tags": "/api/v1/editor/documents/{doc_id}/tags",
        "document_suggestions": "/api/v1/editor/documents/{doc_id}/suggestions",
        "fresh_change": "/api/v1/editor/audit/{change_id}/undo",
        "some_job": "/api/v1/editor/jobs/{job_id}",
        "job_undo": "/api/v1/editor/jobs/{job_id}/undo",
        "editor_owned_token": "/api/v1/auth/tokens/{token_id}",
        "fresh_user": "/api/v1/admin/users/{username}",
        "existing_profile": "/api/v1/profiles/{client_id}",
    }
    covered = {
        (e.method, e.path if isinstance(e.path, str) else named[e.path.__name__]) for e in ENDPOINTS
    }
    assert documented <= covered, documented - covered


def test_demoting_an_admin_narrows_their_tokens_at_once(matrix_server: EditorServer) -> None:
    server = matrix_server
    accounts = server.runtime.accounts
    accounts.create_user("temp-admin", PASSWORD, "admin")
    headers = server.login("temp-admin")
    assert server.client.get("/api/v1/admin/users", headers=headers).status_code == 200
    response = server.client.patch(
        "/api/v1/admin/users/temp-admin", json={"role": "editor"}, headers=server.admin
    )
    assert response.status_code == 200
    assert server.client.get("/api/v1/admin/users", headers=headers).status_code == 403
    assert server.client.get("/api/v1/editor/audit", headers=headers).status_code == 200


def test_disabling_an_account_ends_its_sessions(matrix_server: EditorServer) -> None:
    server = matrix_server
    server.runtime.accounts.create_user("leaver", PASSWORD, "editor")
    headers = server.login("leaver")
    server.client.patch("/api/v1/admin/users/leaver", json={"disabled": True}, headers=server.admin)
    response = server.client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"
    login = server.client.post(
        "/api/v1/auth/token", data={"username": "leaver", "password": PASSWORD}
    )
    assert login.status_code == 401


def test_the_last_admin_cannot_be_removed(matrix_server: EditorServer) -> None:
    server = matrix_server
    response = server.client.patch(
        "/api/v1/admin/users/ada", json={"role": "editor"}, headers=server.admin
    )
    assert response.status_code == 409
    with server.runtime.catalog.engine.connect() as conn:
        from indexer.catalog.tables import users

        admins = conn.execute(
            sa.select(sa.func.count()).select_from(users).where(users.c.role == "admin")
        ).scalar()
    assert admins >= 1
