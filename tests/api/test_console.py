"""The editor console over HTTP: sign in, find, tag, review, bulk, audit, undo — in Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from indexer.catalog.tables import suggested_tags
from tests.api.conftest import PASSWORD, EditorServer, wait_until


@pytest.fixture()
def browser(editor_server: EditorServer) -> Iterator[httpx.Client]:
    """A signed-in console session (cookie), like a browser after the login form."""
    with httpx.Client(base_url=editor_server.base_url, timeout=60, follow_redirects=True) as client:
        response = client.post(
            "/editor/login",
            data={"username": "edna", "password": PASSWORD, "next": "/editor/review"},
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"] == "/editor/review"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/editor" in cookie
        yield client


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def test_signed_out_visitors_go_to_the_login_page(editor_server: EditorServer) -> None:
    response = editor_server.client.get("/editor/audit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/editor/login?next=%2Feditor%2Faudit"
    login = editor_server.client.get("/editor/login")
    assert "登录" in login.text and "charset=utf-8" in login.headers["content-type"]
    wrong = editor_server.client.post(
        "/editor/login", data={"username": "edna", "password": "wrong password"}
    )
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    evil = editor_server.client.post(
        "/editor/login",
        data={"username": "edna", "password": PASSWORD, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/editor/"  # no open redirect


def test_search_tag_and_undo_through_the_console(
    editor_server: EditorServer, browser: httpx.Client
) -> None:
    page = browser.get("/editor/", params={"q": "法律援助", "type": "service"})
    assert page.status_code == 200 and "检索与标注" in page.text and "条结果" in page.text
    doc_id = re.search(r'name="ids" value="([^"]+)"', page.text).group(1)
    doc_page = browser.get(f"/editor/documents/{doc_id}")
    assert "受众" in doc_page.text and "修改记录" in doc_page.text
    csrf = csrf_of(doc_page)

    forged = browser.post(
        f"/editor/documents/{doc_id}/tags",
        data={"facet": "audience", "action": "add", "value": "veterans", "csrf": "0" * 64},
        follow_redirects=False,
    )
    assert forged.status_code == 303 and "error=" in forged.headers["location"]
    assert "veterans" not in editor_server.runtime.catalog.get(doc_id)["audiences"]

    saved = browser.post(
        f"/editor/documents/{doc_id}/tags",
        data={"facet": "audience", "action": "add", "value": "veterans", "csrf": csrf},
    )
    assert saved.status_code == 200 and "已保存" in saved.text and "退役军人" in saved.text
    assert "veterans" in editor_server.runtime.catalog.get(doc_id)["audiences"]
    wait_until(lambda: doc_id in editor_server.search_ids("法律援助", audience="veterans"))

    change_id = editor_server.runtime.catalog.tag_changes(doc_id=doc_id, limit=1)[0]["id"]
    audit = browser.get("/editor/audit", params={"doc_id": doc_id})
    assert f"/editor/audit/{change_id}/undo" in audit.text
    undone = browser.post(
        f"/editor/audit/{change_id}/undo",
        data={"csrf": csrf, "next": f"/editor/documents/{doc_id}"},
    )
    assert "已撤销修改" in undone.text
    assert "veterans" not in editor_server.runtime.catalog.get(doc_id)["audiences"]


def test_review_queue_accept_in_the_console(
    editor_server: EditorServer, browser: httpx.Client
) -> None:
    catalog = editor_server.runtime.catalog
    doc_id = editor_server.search_ids("劳动仲裁", type="statute_article")[0]
    # Real suggestions fill the queue too (least sure first): this one is the least
    # sure of all, for a value the statute rules do not suggest for a labour law.
    with catalog.writing() as conn:
        conn.execute(
            suggested_tags.insert().values(
                doc_id=doc_id,
                facet="audience",
                value="veterans",
                confidence=0.013,
                provenance="classifier:nb",
                model_version="nb-2",
            )
        )
    queue = browser.get("/editor/review")
    assert "待审核建议" in queue.text and "1%" in queue.text and "classifier:nb" in queue.text
    accepted = browser.post(
        f"/editor/documents/{doc_id}/suggestions",
        data={
            "facet": "audience",
            "value": "veterans",
            "decision": "accept",
            "csrf": csrf_of(queue),
            "next": "/editor/review",
        },
    )
    assert "已采纳建议" in accepted.text and "classifier:nb" not in accepted.text
    assert catalog.tag_state([doc_id])[doc_id].decisions["audience"]["veterans"]["action"] == "add"


def test_bulk_job_from_the_console(editor_server: EditorServer, browser: httpx.Client) -> None:
    page = browser.get("/editor/", params={"q": "调解", "type": "service"})
    ids = re.findall(r'name="ids" value="([^"]+)"', page.text)[:3]
    response = browser.post(
        "/editor/jobs",
        data={
            "action": "tag",
            "facet": "audience",
            "value": "village_cadres",
            "scope": "selected",
            "ids": ids,
            "csrf": csrf_of(page),
            "q": "调解",
            "type": "service",
        },
    )
    assert response.status_code == 200 and "任务已提交" in response.text
    job_id = int(re.search(r"任务 #(\d+)", response.text).group(1))
    job = editor_server.wait_for_job(job_id, editor_server.editor)
    assert job["report"]["changed"] == len(ids)
    done = browser.get(f"/editor/jobs/{job_id}")
    assert "已完成" in done.text and 'http-equiv="refresh"' not in done.text
    assert "撤销此任务的全部修改" in done.text
    assert f"#{job_id}" in browser.get("/editor/jobs").text


def test_console_pages_have_no_inline_script(
    editor_server: EditorServer, browser: httpx.Client
) -> None:
    for path in ("/editor/", "/editor/review", "/editor/jobs", "/editor/audit"):
        page = browser.get(path)
        assert page.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), path
        assert " on" not in re.sub(r"\s+", " ", "".join(re.findall(r"<[^>]+>", page.text)))
        assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_logout_ends_the_console_session(
    editor_server: EditorServer, browser: httpx.Client
) -> None:
    page = browser.get("/editor/jobs")
    out = browser.post("/editor/logout", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert out.status_code == 303
    assert browser.get("/editor/jobs", follow_redirects=False).status_code == 303
