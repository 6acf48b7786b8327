"""The editor console: server-rendered pages in Chinese under ``/editor/``.

A thin layer over the same workspace the JSON API uses. Signing in sets an
HttpOnly, SameSite=Strict cookie holding a session token (the same kind of
token the API issues); every form carries a CSRF token bound to that session.
Pages have no inline script, so they are served under the strict page CSP.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from fasou.analytics.reports import COLUMNS
from indexer.catalog.tagging import TAG_FACETS
from indexer.editorial.vocabulary import tag_vocabulary
from indexer.models import DocType
from indexer.search.types import Filters
from search_api.api.deps import RuntimeDep, check_rate, rate_limited_anonymous
from search_api.api.errors import ApiError
from search_api.api.routes.analytics import Selection as AnalyticsSelection
from search_api.api.routes.analytics import TableName as AnalyticsTable
from search_api.api.routes.analytics import csv_response
from search_api.auth.accounts import AuthFailure
from search_api.auth.roles import Principal, Scope
from search_api.auth.tokens import csrf_token
from search_api.console.charts import bar_chart, line_chart
from search_api.core.runtime import Runtime

COOKIE = "fasou_console"
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
PAGE_SIZE = 20
TYPE_LABELS = {
    "statute_article": "法条",
    "case": "案例",
    "video": "视频",
    "service": "法律服务",
    "article": "普法文章",
}
FACET_LABELS = {"audience": "受众", "topic": "主题"}
STATUS_LABELS = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
TEMPLATES.env.globals.update(
    TYPE_LABELS=TYPE_LABELS,
    FACET_LABELS=FACET_LABELS,
    STATUS_LABELS=STATUS_LABELS,
    FACETS=TAG_FACETS,
)

router = APIRouter(prefix="/editor", include_in_schema=False)


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def _session(request: Request, runtime: Runtime) -> tuple[Principal, str] | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        principal = runtime.accounts.resolve(token)
    except AuthFailure:
        return None
    if principal.token_kind != "session":
        return None
    request.state.role = principal.role.value
    return principal, token


def signed_in(request: Request, runtime: RuntimeDep) -> tuple[Principal, str]:
    found = _session(request, runtime)
    if found is None:
        raise LoginRequired(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
    return found


Session = Annotated[tuple[Principal, str], Depends(signed_in)]


def _safe_next(url: str | None) -> str:
    """Only local console paths (no open redirect to another site)."""
    if url and url.startswith("/editor") and not url.startswith("//"):
        return url
    return "/editor/"


def _page(
    request: Request,
    runtime: Runtime,
    session: tuple[Principal, str] | None,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    principal, token = session if session else (None, "")
    secret = runtime.settings.secret_key.get_secret_value()
    context |= {
        "user": principal,
        "csrf": csrf_token(secret, token) if token else "",
        "vocabulary": tag_vocabulary(),
        "message": request.query_params.get("msg"),
        "error": request.query_params.get("error"),
    }
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def _check_csrf(runtime: Runtime, session: tuple[Principal, str], csrf: str) -> None:
    expected = csrf_token(runtime.settings.secret_key.get_secret_value(), session[1])
    if not hmac.compare_digest(expected, csrf):
        raise ApiError(403, "csrf_failed", "表单已过期, 请刷新页面后重试")


def _need(principal: Principal, scope: Scope) -> None:
    if not principal.can(scope):
        raise ApiError(403, "forbidden", "没有执行此操作的权限")


def _back(url: str, *, msg: str | None = None, error: str | None = None) -> RedirectResponse:
    param = {"msg": msg} if msg else {"error": error} if error else {}
    joiner = "&" if "?" in url else "?"
    target = url + (joiner + urlencode(param) if param else "")
    return RedirectResponse(target, status_code=303)


def _act(back: str, action: Callable[[], str]) -> RedirectResponse:
    """Run a write; back to ``back`` with its message, or with the error's message."""
    try:
        return _back(back, msg=action())
    except ApiError as exc:
        return _back(back, error=exc.detail)


# -- signing in and out ---------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, runtime: RuntimeDep, next: str | None = None) -> HTMLResponse:
    return _page(request, runtime, None, "editor/login.html", next=_safe_next(next))


@router.post("/login", response_model=None)
def login(
    request: Request,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/editor/",
) -> Response:
    try:
        check_rate(request, runtime, "login", None)  # the API's sign-in shares the budget
    except ApiError:
        return _page(
            request,
            runtime,
            None,
            "editor/login.html",
            429,
            next=next,
            failed="尝试过于频繁, 请稍后再试",
        )
    user = runtime.accounts.authenticate(username, password)
    if user is None:
        return _page(
            request, runtime, None, "editor/login.html", 401, next=next, failed="用户名或密码错误"
        )
    issued = runtime.accounts.issue_session(user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        issued.token,
        max_age=runtime.settings.session_minutes * 60,
        path="/editor",
        httponly=True,
        samesite="strict",
        secure=runtime.settings.environment == "production",
    )
    return response


@router.post("/logout")
def logout(
    runtime: RuntimeDep, session: Session, csrf: Annotated[str, Form(max_length=128)]
) -> RedirectResponse:
    _check_csrf(runtime, session, csrf)
    runtime.accounts.revoke(session[0].token_id, session[0])
    response = RedirectResponse("/editor/login", status_code=303)
    response.delete_cookie(COOKIE, path="/editor")
    return response


# -- finding and viewing documents ---------------------------------------------


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    runtime: RuntimeDep,
    session: Session,
    q: Annotated[str, Query(max_length=200)] = "",
    type: Annotated[str, Query(max_length=32)] = "",
    audience: Annotated[str, Query(max_length=64)] = "",
    topic: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=50)] = 1,
) -> HTMLResponse:
    result = None
    filters = Filters(
        types=[type] if type in TYPE_LABELS else [],
        audiences=[audience] if audience else [],
        topics=[topic] if topic else [],
    )
    if q.strip():
        result = runtime.workspace.find(q, filters, page, PAGE_SIZE)
    query = {"q": q, "type": type, "audience": audience, "topic": topic}
    return _page(
        request,
        runtime,
        session,
        "editor/search.html",
        q=q,
        query=query,
        result=result,
        page=page,
        page_size=PAGE_SIZE,
        doc_types=[t.value for t in DocType],
        pager=lambda n: "/editor/?" + urlencode(query | {"page": n}),
    )


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(
    request: Request, runtime: RuntimeDep, session: Session, doc_id: str
) -> HTMLResponse:
    try:
        document = runtime.workspace.document(doc_id[:64])
    except ApiError as exc:
        return _page(request, runtime, session, "editor/error.html", exc.status, problem=exc.detail)
    return _page(request, runtime, session, "editor/document.html", doc=document)


@router.post("/documents/{doc_id}/tags")
def change_tags(
    runtime: RuntimeDep,
    session: Session,
    doc_id: str,
    facet: Annotated[str, Form(max_length=16)],
    action: Annotated[str, Form(pattern="^(add|remove|clear)$")],
    value: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form(max_length=128)],
) -> RedirectResponse:
    back = f"/editor/documents/{quote(doc_id[:64])}"

    def act() -> str:
        _check_csrf(runtime, session, csrf)
        _need(session[0], Scope.write)
        if facet not in TAG_FACETS:
            raise ApiError(422, "validation_error", "未知的标签类别")
        result = runtime.workspace.change_tags(
            doc_id[:64], facet, **{action: [value]}, editor=session[0].username
        )
        return "已保存" if result["change"] else "没有变化"

    return _act(back, act)


@router.post("/documents/{doc_id}/suggestions")
def decide_suggestion(
    runtime: RuntimeDep,
    session: Session,
    doc_id: str,
    facet: Annotated[str, Form(max_length=16)],
    value: Annotated[str, Form(max_length=64)],
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
    csrf: Annotated[str, Form(max_length=128)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    back = _safe_next(next) if next else f"/editor/documents/{quote(doc_id[:64])}"

    def act() -> str:
        _check_csrf(runtime, session, csrf)
        _need(session[0], Scope.write)
        if facet not in TAG_FACETS:
            raise ApiError(422, "validation_error", "未知的标签类别")
        runtime.workspace.decide_suggestion(
            doc_id[:64], facet, value, decision == "accept", editor=session[0].username
        )
        return "已采纳建议" if decision == "accept" else "已驳回建议"

    return _act(back, act)


# -- review queue -----------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    runtime: RuntimeDep,
    session: Session,
    facet: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> HTMLResponse:
    queue = runtime.workspace.review_queue(
        facet if facet in TAG_FACETS else None, None, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    return _page(
        request,
        runtime,
        session,
        "editor/review.html",
        queue=queue,
        facet=facet,
        page=page,
        page_size=PAGE_SIZE,
        here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    )


# -- bulk jobs ------------------------------------------------------------------------


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, runtime: RuntimeDep, session: Session) -> HTMLResponse:
    jobs = [j.summary() for j in runtime.workspace.jobs.list(limit=100)]
    return _page(request, runtime, session, "editor/jobs.html", jobs=jobs)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, runtime: RuntimeDep, session: Session, job_id: int) -> HTMLResponse:
    try:
        job = runtime.workspace.job(job_id).summary()
    except ApiError as exc:
        return _page(request, runtime, session, "editor/error.html", exc.status, problem=exc.detail)
    return _page(request, runtime, session, "editor/job.html", job=job)


@router.post("/jobs")
def submit_job(
    runtime: RuntimeDep,
    session: Session,
    action: Annotated[str, Form(pattern="^(tag|untag)$")],
    facet: Annotated[str, Form(max_length=16)],
    value: Annotated[str, Form(max_length=64)],
    scope: Annotated[str, Form(pattern="^(selected|query)$")],
    csrf: Annotated[str, Form(max_length=128)],
    ids: Annotated[list[str] | None, Form()] = None,
    q: Annotated[str, Form(max_length=200)] = "",
    type: Annotated[str, Form(max_length=32)] = "",
    audience: Annotated[str, Form(max_length=64)] = "",
    topic: Annotated[str, Form(max_length=64)] = "",
) -> RedirectResponse:
    back = "/editor/?" + urlencode({"q": q, "type": type, "audience": audience, "topic": topic})
    try:
        _check_csrf(runtime, session, csrf)
        _need(session[0], Scope.bulk)
        if facet not in TAG_FACETS:
            raise ApiError(422, "validation_error", "未知的标签类别")
        if scope == "selected" and not ids:
            raise ApiError(422, "validation_error", "请先勾选文档")
        query = None
        if scope == "query":
            if not q.strip():
                raise ApiError(422, "validation_error", "请先输入检索词")
            query = {
                "q": q,
                "type": [type] if type in TYPE_LABELS else [],
                "audience": [audience] if audience else [],
                "topic": [topic] if topic else [],
            }
        job = runtime.workspace.submit_bulk(
            action=action,
            facet=facet,
            values=[value],
            ids=[i[:64] for i in ids or []] if scope == "selected" else None,
            query=query,
            editor=session[0].username,
        )
    except ApiError as exc:
        return _back(back, error=exc.detail)
    return _back(f"/editor/jobs/{job.id}", msg="任务已提交")


@router.post("/jobs/{job_id}/undo")
def undo_job(
    runtime: RuntimeDep,
    session: Session,
    job_id: int,
    csrf: Annotated[str, Form(max_length=128)],
) -> RedirectResponse:
    try:
        _check_csrf(runtime, session, csrf)
        _need(session[0], Scope.bulk)
        job = runtime.workspace.submit_undo_job(job_id, editor=session[0].username)
    except ApiError as exc:
        return _back(f"/editor/jobs/{job_id}", error=exc.detail)
    return _back(f"/editor/jobs/{job.id}", msg="撤销任务已提交")


# -- audit log ------------------------------------------------------------------------


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    runtime: RuntimeDep,
    session: Session,
    editor: Annotated[str, Query(max_length=64)] = "",
    doc_id: Annotated[str, Query(max_length=64)] = "",
    job_id: Annotated[str, Query(max_length=12)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    start, end = _day(since), _day(until)
    page = runtime.workspace.audit(
        editor=editor or None,
        doc_id=doc_id or None,
        job_id=int(job_id) if job_id.isdigit() else None,
        since=datetime.combine(start, time()) if start else None,
        until=datetime.combine(end + timedelta(days=1), time()) if end else None,
        before_id=before_id,
        limit=50,
    )
    filters = {"editor": editor, "doc_id": doc_id, "job_id": job_id, "since": since, "until": until}
    return _page(
        request,
        runtime,
        session,
        "editor/audit.html",
        page=page,
        filters=filters,
        next_url=(
            "/editor/audit?" + urlencode(filters | {"before_id": page["next_before_id"]})
            if page["next_before_id"]
            else None
        ),
        here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    )


@router.post("/audit/{change_id}/undo")
def undo_change(
    runtime: RuntimeDep,
    session: Session,
    change_id: int,
    csrf: Annotated[str, Form(max_length=128)],
    next: Annotated[str, Form(max_length=500)] = "/editor/audit",
) -> RedirectResponse:
    def act() -> str:
        _check_csrf(runtime, session, csrf)
        _need(session[0], Scope.write)
        undo = runtime.workspace.undo_change(change_id, editor=session[0].username)
        return f"已撤销修改 #{change_id} (新记录 #{undo['id']})"

    return _act(_safe_next(next), act)


# -- needs analytics -----------------------------------------------------------------


@router.get(
    "/analytics", response_class=HTMLResponse, dependencies=[rate_limited_anonymous("editor")]
)
def analytics_page(
    request: Request, runtime: RuntimeDep, session: Session, selection: AnalyticsSelection
) -> HTMLResponse:
    """The dashboard: a weekly series, bars per audience, the gap table, every table."""
    assert runtime.reports is not None
    report = runtime.reports.build(selection)
    labels = tag_vocabulary()["audience"] | {"unspecified": "未声明"}
    query = {
        "weeks": selection.weeks,
        "last_week": selection.last_week.isoformat(),
        "audience": selection.audience,
        "region": selection.region,
    }
    return _page(
        request,
        runtime,
        session,
        "editor/analytics.html",
        report=report,
        query=query,
        columns=COLUMNS,
        audience_labels=labels,
        topic_labels=tag_vocabulary()["topic"],
        weekly_chart=line_chart(
            report.tables["weekly"], "week", {"searches": "搜索", "zero_results": "零结果"}
        ),
        audience_chart=bar_chart(
            [
                row | {"audience": labels.get(row["audience"], row["audience"])}
                for row in report.tables["audiences"]
            ],
            "audience",
            "searches",
        ),
        csv_url=lambda table: f"/editor/analytics/{table}.csv?" + urlencode(query),
    )


@router.get("/analytics/{table}.csv", dependencies=[rate_limited_anonymous("editor")])
def analytics_csv(
    runtime: RuntimeDep, session: Session, table: AnalyticsTable, selection: AnalyticsSelection
) -> Response:
    assert runtime.reports is not None
    return csv_response(runtime.reports.build(selection), table)


def install_console(app: Any) -> None:
    """Mount the console and send signed-out visitors to the sign-in page."""
    app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/editor/login?" + urlencode({"next": exc.next_url}), 303)
