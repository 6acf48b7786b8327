"""Dependencies as ``Annotated`` aliases: routes declare what they need by type.

Authentication, authorisation, rate limiting and paging limits are
dependencies too, attached per route or per router, so a new route group gets
them by adding one line (e.g. ``dependencies=[rate_limited("feed")]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from fasou.analytics.recorder import AnalyticsRecorder
from fasou.analytics.reports import Reports
from fasou.config import Settings
from fasou.profiles import ProfileService
from indexer.catalog import Catalog
from indexer.models import DocType, Level, Status
from indexer.search.feed import FeedBuilder
from indexer.search.service import SearchService
from indexer.search.types import Filters
from search_api.api.errors import ApiError
from search_api.auth.accounts import Accounts, AuthFailure
from search_api.auth.roles import Principal, Scope
from search_api.core.annotations import list_item
from search_api.core.rate_limit import parse_rate, retry_after_header
from search_api.core.runtime import Runtime
from search_api.core.workspace import Workspace

API_PREFIX = "/api/v1"
#: Hard caps published in the OpenAPI schema; settings may only tighten them.
MAX_PAGE = 100
MAX_PAGE_SIZE = 50
PROFILE_HEADER = "X-Fasou-Profile"
#: Publication dates a filter may name (engines store dates in a bounded range).
EARLIEST_DATE, LATEST_DATE = date(1800, 1, 1), date(2200, 12, 31)
_PROFILE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


# The getters and parameter parsers here are ``async``: they never block, and FastAPI runs a
# plain ``def`` dependency in the thread pool — a hop each, per request. Each takes the
# request itself rather than depending on ``get_runtime``: every nested dependency is one
# more solve per request (validation passes over query, headers, cookies, path), and on
# the search route those solves were a third of the HTTP layer's cost.


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


async def get_settings_dep(request: Request) -> Settings:
    return runtime_of(request).settings


async def get_catalog(request: Request) -> Catalog:
    return runtime_of(request).catalog


async def get_search(request: Request) -> SearchService:
    return runtime_of(request).search


async def get_profiles(request: Request) -> ProfileService:
    profiles = runtime_of(request).profiles
    assert profiles is not None
    return profiles


async def get_feed(request: Request) -> FeedBuilder:
    feed = runtime_of(request).feed
    assert feed is not None
    return feed


async def get_analytics(request: Request) -> AnalyticsRecorder:
    analytics = runtime_of(request).analytics
    assert analytics is not None
    return analytics


async def get_reports(request: Request) -> Reports:
    reports = runtime_of(request).reports
    assert reports is not None
    return reports


async def get_accounts(request: Request) -> Accounts:
    return runtime_of(request).accounts


async def get_workspace(request: Request) -> Workspace:
    return runtime_of(request).workspace


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SearchDep = Annotated[SearchService, Depends(get_search)]
ProfilesDep = Annotated[ProfileService, Depends(get_profiles)]
FeedDep = Annotated[FeedBuilder, Depends(get_feed)]
AnalyticsDep = Annotated[AnalyticsRecorder, Depends(get_analytics)]
ReportsDep = Annotated[Reports, Depends(get_reports)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]

# -- authentication ---------------------------------------------------------

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl=f"{API_PREFIX}/auth/token",
    scopes={scope.value: scope.name for scope in Scope},
    auto_error=False,
)

_AUTH_MESSAGES = {
    "invalid_token": "the bearer token is not valid",
    "token_expired": "the bearer token has expired: sign in again",
    "token_revoked": "the bearer token was revoked",
    "account_disabled": "this account is disabled",
    "not_authenticated": "sign in first (Authorization: Bearer <token>)",
}


def unauthorized(reason: str) -> ApiError:
    error = "invalid_token" if reason != "not_authenticated" else None
    challenge = f'Bearer error="{error}"' if error else "Bearer"
    return ApiError(
        401,
        reason,
        _AUTH_MESSAGES[reason],
        field="Authorization",
        location="header",
        headers={"WWW-Authenticate": challenge},
    )


async def optional_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal | None:
    """The caller, or None for residents. A token that is *presented* must be valid: a
    stale token gets 401 rather than silently becoming anonymous (and a client cannot
    dodge its rate limit by sending made-up tokens)."""
    if not token:
        return None
    try:
        accounts = runtime_of(request).accounts
        principal = await run_in_threadpool(accounts.resolve, token)  # a catalog read
    except AuthFailure as failure:
        raise unauthorized(failure.reason) from None
    request.state.role = principal.role.value
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def authenticated(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise unauthorized("not_authenticated")
    return principal


#: Any signed-in caller, whatever the scopes (sign out, who am I, own tokens).
Authenticated = Annotated[Principal, Depends(authenticated)]


def require(scope: Scope) -> Any:
    """A dependency yielding the caller, who must be signed in and hold ``scope``."""

    async def dependency(principal: Authenticated) -> Principal:
        if not principal.can(scope):
            raise ApiError(403, "forbidden", f"this needs the {scope.value!r} permission")
        return principal

    return Depends(dependency)


Reader = Annotated[Principal, require(Scope.read)]
Writer = Annotated[Principal, require(Scope.write)]
BulkWriter = Annotated[Principal, require(Scope.bulk)]
Admin = Annotated[Principal, require(Scope.admin)]

# -- rate limiting ----------------------------------------------------------


def client_key(request: Request, principal: Principal | None, settings: Settings) -> str:
    """Who a request counts against: the first of token / profile / IP that applies."""
    for kind in settings.rate_limit_client_key:
        if kind == "token" and principal is not None:
            return f"token:{principal.token_id}"
        if kind == "profile":
            profile = request.query_params.get("profile") or request.headers.get(PROFILE_HEADER)
            if profile and _PROFILE_ID.match(profile):
                return f"profile:{profile}"
        if kind == "ip" and request.client is not None:
            return f"ip:{request.client.host}"
    return "unknown"


def check_rate(request: Request, runtime: Runtime, group: str, principal: Principal | None) -> None:
    """Spend one request of ``group`` for this client; 429 (ApiError) when none is left."""
    rate = parse_rate(runtime.settings.rate_limits.get(group) or "60/minute")
    wait = runtime.rate_limiter.take(group, client_key(request, principal, runtime.settings), rate)
    if wait > 0:
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests: at most {rate.limit} per {rate.period:g} s",
            headers={"Retry-After": retry_after_header(wait)},
        )


def rate_limited(group: str) -> Any:
    """Per-client limit for a route group (``FASOU_RATE_LIMITS``); over it: 429 + Retry-After."""

    async def dependency(request: Request, principal: OptionalPrincipal) -> None:
        check_rate(request, runtime_of(request), group, principal)

    return Depends(dependency)


def rate_limited_anonymous(group: str) -> Any:
    """The same, counting by profile/IP only, for routes that take no token (signing in)."""

    async def dependency(request: Request) -> None:
        check_rate(request, runtime_of(request), group, None)

    return Depends(dependency)


# -- paging and search parameters -----------------------------------------
#
# Query parameter *models*, read by ``query_model`` in one pydantic pass, where separate
# ``Query`` parameters and sub-dependencies cost one Python-level solve each (0.7 ms of a
# 7 ms search request, ``bench/search_latency.py``). Errors still name the parameter:
# ("query", "size") → field ``size``.


@dataclass(frozen=True)
class PageParams:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


class QueryText(BaseModel):
    q: str = Field(min_length=1, description="用户的问题或关键词, 如 老板拖欠工资怎么办")


class PageQuery(BaseModel):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码, 从 1 开始")
    size: int = Field(10, ge=1, le=MAX_PAGE_SIZE, description="每页条数")

    def paging(self, settings: Settings) -> PageParams:
        """Page and size within the configured limits, and no deeper than the result window."""
        page, size = self.page, self.size
        if page > settings.max_page:
            raise ApiError(
                400, "page_too_deep", f"page must be at most {settings.max_page}", "page"
            )
        if size > settings.max_page_size:
            raise ApiError(
                400, "page_too_large", f"size must be at most {settings.max_page_size}", "size"
            )
        if page * size > settings.max_result_window:
            raise ApiError(
                400,
                "page_too_deep",
                f"page × size must be at most {settings.max_result_window}: refine the query",
                "page",
            )
        return PageParams(page, size)


class FilterQuery(BaseModel):
    """The search filters as query parameters (shared by public and editor search)."""

    type: list[DocType] = Field([], description="文档类型, 可多选")
    status: list[Status] = Field([], description="时效性")
    level: list[Level] = Field([], description="效力级别")
    department: list[Annotated[str, Field(max_length=50)]] = []
    region: list[Annotated[str, Field(max_length=100)]] = Field([], description="地区名或路径")
    audience: list[Annotated[str, Field(max_length=64)]] = []
    topic: list[Annotated[str, Field(max_length=64)]] = []
    date_from: date | None = Field(
        None, ge=EARLIEST_DATE, le=LATEST_DATE, description="发布日期起 (含)"
    )
    date_to: date | None = Field(
        None, ge=EARLIEST_DATE, le=LATEST_DATE, description="发布日期止 (含)"
    )

    def filters(self) -> Filters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ApiError(422, "validation_error", "date_from is after date_to", field="date_from")
        return Filters(
            types=[t.value for t in self.type],
            statuses=[s.value for s in self.status],
            levels=[lv.value for lv in self.level],
            departments=list(self.department),
            regions=list(self.region),
            audiences=list(self.audience),
            topics=list(self.topic),
            date_from=self.date_from,
            date_to=self.date_to,
        )


class SearchQuery(FilterQuery, PageQuery, QueryText):
    """Everything a search names in its query string (fields in the order the docs list)."""


M = TypeVar("M", bound=BaseModel)


def query_model(model: type[M]) -> Any:
    """``Depends`` reading ``model`` from the query string in one pydantic pass.

    FastAPI's own support for query models (``Annotated[M, Query()]``) re-inspects every
    field's annotation on every request: 0.3-0.5 ms for the search route's 17 parameters,
    more than tantivy's search. Here which fields repeat (lists) is worked out once.
    Errors are FastAPI's (``RequestValidationError`` at ("query", field)), so the 422
    names the parameter as before; the route documents the parameters with
    ``openapi_extra=query_model_openapi(model)``.
    """
    names = frozenset(model.model_fields)
    fields = model.model_fields.items()
    lists = frozenset(name for name, f in fields if list_item(f.annotation) is not None)

    async def read(request: Request) -> M:
        query = request.query_params
        data = {
            name: query.getlist(name) if name in lists else query[name]
            for name in query
            if name in names
        }
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
            raise RequestValidationError(errors) from None

    read.__name__ = f"read_{model.__name__}"
    return Depends(read)


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline_refs(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def query_model_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI parameters of ``model`` as FastAPI would list them (enums inlined)."""
    schema = model.model_json_schema()
    defs, required = schema.get("$defs", {}), set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter = {"name": name, "in": "query", "required": name in required}
        parameter["schema"] = _inline_refs(prop, defs)
        if "description" in prop:
            parameter["description"] = prop["description"]
        parameters.append(parameter)
    return {"parameters": parameters}


def check_query_text(q: str, settings: Settings, field: str = "q") -> str:
    """The one rule for free text from residents and editors: not blank, not too long."""
    if len(q) > settings.max_query_chars:
        raise ApiError(
            400,
            "query_too_long",
            f"{field} must be at most {settings.max_query_chars} characters",
            field=field,
        )
    if not q.strip():
        raise ApiError(422, "validation_error", f"{field} must not be blank", field=field)
    return q
