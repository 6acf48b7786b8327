"""Request and response schemas of the editor workspace, auth and admin APIs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from indexer.editorial.vocabulary import tag_vocabulary
from indexer.models import DocType, Level, Status
from search_api.auth.accounts import USERNAME_PATTERN
from search_api.auth.passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS
from search_api.auth.roles import Role, Scope

Facet = Literal["audience", "topic"]
#: Every value of either taxonomy (published as an enum; which facet it belongs to is
#: checked per request, 422 naming the field).
TAG_VALUES = tuple(dict.fromkeys(v for values in tag_vocabulary().values() for v in values))
TagValue = Literal[TAG_VALUES]  # type: ignore[valid-type]
DocId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
MAX_BULK_IDS = 50_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- tags ---------------------------------------------------------------------


class TagDecision(BaseModel):
    action: Literal["add", "remove"]
    editor: str
    at: str


class Suggestion(BaseModel):
    doc_id: str
    facet: str
    value: str
    label: str
    confidence: float = Field(ge=0, le=1)
    provenance: str = Field(description="产生建议的规则或模型")
    model_version: str


class SuggestionOut(Suggestion):
    decision: Literal["add", "remove"] | None = Field(description="编辑对该值的决定, 若有")


class FacetTags(BaseModel):
    source: list[str] = Field(description="标签来源数据给出的值")
    decisions: dict[str, TagDecision] = Field(description="编辑的决定 (添加/移除)")
    effective: list[str] = Field(description="检索使用的最终标签")
    labels: dict[str, str]
    suggestions: list[SuggestionOut] = Field(description="自动建议 (含置信度与来源)")


class TagChange(BaseModel):
    id: int
    doc_id: str
    facet: str
    editor: str
    created_at: str
    rev: int
    job_id: int | None
    before: dict[str, TagDecision]
    after: dict[str, TagDecision]
    before_values: list[str]
    after_values: list[str]
    undoes: int | None
    undone_by: int | None


class TagChangeRequest(Strict):
    facet: Facet
    add: list[TagValue] = Field(default_factory=list, max_length=50)
    remove: list[TagValue] = Field(default_factory=list, max_length=50)
    clear: list[TagValue] = Field(
        default_factory=list, max_length=50, description="撤回编辑决定, 恢复来源数据的标签"
    )

    @model_validator(mode="after")
    def _something(self) -> TagChangeRequest:
        if not (self.add or self.remove or self.clear):
            raise ValueError("name at least one value to add, remove or clear")
        return self


class TagChangeResult(BaseModel):
    doc_id: str
    change: TagChange | None = Field(description="审计记录; 无变化时为 null")
    tags: FacetTags


class SuggestionDecision(Strict):
    facet: Facet
    value: TagValue
    decision: Literal["accept", "reject"]


class EditorHit(BaseModel):
    id: str
    type: str
    title: str
    snippet: str
    score: float
    tags: dict[str, FacetTags]


class EditorSearchResponse(BaseModel):
    query: str
    total: int
    page: int
    size: int
    hits: list[EditorHit]
    facets: dict[str, dict[str, int]]
    took_ms: float


class EditorDocument(BaseModel):
    id: str
    type: str
    title: str
    body: str
    url: str | None
    source: str
    region: str | None
    published_at: str | None
    tags: dict[str, FacetTags]
    history: list[TagChange]


class ReviewItem(Suggestion):
    title: str
    type: str


class ReviewQueue(BaseModel):
    total: int
    threshold: float
    items: list[ReviewItem]


class AuditPage(BaseModel):
    changes: list[TagChange]
    next_before_id: int | None = Field(description="传给 before_id 取下一页")


class Vocabulary(BaseModel):
    audience: dict[str, str]
    topic: dict[str, str]


# -- bulk jobs ----------------------------------------------------------------


class BulkQuery(Strict):
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    type: list[DocType] = Field(default_factory=list, max_length=5)
    status: list[Status] = Field(default_factory=list, max_length=4)
    level: list[Level] = Field(default_factory=list, max_length=6)
    department: list[Annotated[str, StringConstraints(max_length=50)]] = Field(
        default_factory=list, max_length=20
    )
    region: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    audience: list[TagValue] = Field(default_factory=list, max_length=20)
    topic: list[TagValue] = Field(default_factory=list, max_length=20)


class BulkSelection(Strict):
    ids: list[DocId] | None = Field(default=None, min_length=1, max_length=MAX_BULK_IDS)
    query: BulkQuery | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> BulkSelection:
        if (self.ids is None) == (self.query is None):
            raise ValueError("give exactly one of ids or query")
        return self


class BulkJobRequest(Strict):
    action: Literal["tag", "untag"]
    facet: Facet
    values: list[TagValue] = Field(min_length=1, max_length=20)
    selection: BulkSelection


class JobOut(BaseModel):
    id: int
    kind: Literal["bulk_tag", "undo_job"]
    status: Literal["queued", "running", "done", "failed"]
    params: dict[str, Any]
    created_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    total: int
    done: int
    progress: float = Field(ge=0, le=1)
    report: dict[str, Any] = Field(
        description="matched, changed, unchanged, missing(+_ids), conflicts(+_ids), "
        "last_rev, indexed, index_wait_seconds"
    )
    error: str | None


class JobList(BaseModel):
    jobs: list[JobOut]


# -- auth and admin -----------------------------------------------------------


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    expires_at: str
    scope: str


class Me(BaseModel):
    username: str
    role: Role
    scopes: list[Scope]
    token_id: str
    token_kind: Literal["session", "api"]


class ApiTokenRequest(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    days: int = Field(default=90, ge=1, le=365)


class TokenInfo(BaseModel):
    id: str
    kind: Literal["session", "api"]
    name: str
    scopes: list[str]
    created_at: str
    expires_at: str
    last_used_at: str | None
    revoked: bool
    username: str | None = None


class ApiTokenCreated(BaseModel):
    token: str = Field(description="只显示这一次; 服务端只保存其哈希")
    id: str
    name: str
    scopes: list[str]
    expires_at: str


class TokenList(BaseModel):
    tokens: list[TokenInfo]


Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]
Password = Annotated[
    str, StringConstraints(min_length=MIN_PASSWORD_CHARS, max_length=MAX_PASSWORD_CHARS)
]


class UserCreate(Strict):
    username: Username
    password: Password
    role: Role


class UserUpdate(Strict):
    role: Role | None = None
    disabled: bool | None = None
    password: Password | None = None


class UserOut(BaseModel):
    id: int
    username: str
    role: Role
    disabled: bool
    created_at: str


class UserList(BaseModel):
    users: list[UserOut]
