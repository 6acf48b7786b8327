"""The document model: one common core and five content types.

Every source (importers, spiders) produces these models; the catalog stores
them and the search backends index them. Type-specific fields live on the
subclasses and travel in the catalog's ``fields`` JSON column, so adding a
field never needs a schema migration of the documents table.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator


class DocType(StrEnum):
    statute_article = "statute_article"
    case = "case"
    video = "video"
    service = "service"
    article = "article"


class Status(StrEnum):
    current = "现行有效"
    amended = "已修改"
    repealed = "已废止"
    not_yet_effective = "尚未生效"


class Level(StrEnum):
    constitution = "宪法"
    law = "法律"
    administrative_regulation = "行政法规"
    judicial_interpretation = "司法解释"
    departmental_rule = "部门规章"
    local_regulation = "地方性法规"


class ServiceKind(StrEnum):
    law_firm = "law_firm"
    lawyer = "lawyer"
    legal_aid = "legal_aid"
    mediation = "mediation"
    notary = "notary"
    judicial_office = "judicial_office"
    hotline = "hotline"
    arbitration = "arbitration"


#: Fields of the common core; everything else on a subclass is type-specific.
CORE_FIELDS = frozenset(
    {
        "id",
        "type",
        "title",
        "body",
        "url",
        "source",
        "region",
        "published_at",
        "fetched_at",
        "content_hash",
        "audiences",
        "topics",
    }
)
#: Core fields that are bookkeeping, not content: they never change the hash.
_NON_CONTENT = frozenset({"id", "fetched_at", "content_hash"})


class BaseDocument(BaseModel):
    """Common core shared by every content type."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)

    type: ClassVar[DocType]
    id: str = ""
    title: str = Field(min_length=1, max_length=500)
    body: str = ""
    url: str | None = None
    source: str = Field(min_length=1)
    region: str | None = Field(
        default=None, description="行政区划路径, 如 浙江省/金华市/东阳市; None = 全国"
    )
    published_at: date | None = None
    fetched_at: datetime | None = None
    content_hash: str = ""
    audiences: list[str] = Field(default_factory=list, description="source-supplied audience ids")
    topics: list[str] = Field(default_factory=list, description="source-supplied topic ids")

    @field_validator("region")
    @classmethod
    def _region_path(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = [p.strip() for p in value.replace("／", "/").split("/") if p.strip()]
        if not parts or parts == ["全国"]:
            return None
        return "/".join(parts)

    def extra_fields(self) -> dict[str, Any]:
        """Type-specific fields, JSON-ready (the catalog's ``fields`` column)."""
        return self.model_dump(mode="json", exclude=set(CORE_FIELDS))

    def compute_hash(self, dumped: dict[str, Any] | None = None) -> str:
        """Hash of the content a source controls: changes iff the source's content changed.

        ``dumped``: this document's ``model_dump(mode="json")`` if the caller has it
        already (bulk writers dump once for the hash and the row).
        """
        payload = dict(self.model_dump(mode="json") if dumped is None else dumped)
        for key in _NON_CONTENT:  # a copy minus three keys: C-level, unlike a comprehension
            payload.pop(key, None)
        payload["type"] = str(self.type)
        return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()

    def finalize(self, dumped: dict[str, Any] | None = None) -> BaseDocument:
        """Fill the derived id and content hash (idempotent)."""
        if not self.id:
            self.id = self.stable_id()
        self.content_hash = self.compute_hash(dumped)
        return self

    def stable_id(self) -> str:
        raise NotImplementedError

    def to_record(self) -> dict[str, Any]:
        """Flat JSON-ready dict with ``type`` included, as APIs and backends see it."""
        data = self.model_dump(mode="json")
        data["type"] = str(self.type)
        return data


def stable_key(prefix: str, *parts: object) -> str:
    """Deterministic id: same identifying parts → same id, across runs and machines."""
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return f"{prefix}-{hashlib.sha1(raw.encode('utf-8')).hexdigest()[:16]}"


def law_key(law_title: str, version: str | None = None) -> str:
    """Identity of one version of one law; the newest version carries no version tag."""
    return law_title.strip() + (f"@{version}" if version else "")


class StatuteArticle(BaseDocument):
    type: ClassVar[DocType] = DocType.statute_article
    law_title: str = Field(min_length=1)
    law_short_title: str | None = None
    law_version: str | None = Field(
        default=None, description="版本标记; 仅当同一法律有更新版本时为旧版本设置"
    )
    article_no: str = Field(min_length=1, description="第一千零七十九条")
    article_num: int = Field(ge=0, description="1079")
    article_suffix: int | None = Field(default=None, description="第X条之一 → 1")
    part: str | None = None
    chapter: str | None = None
    section: str | None = None
    level: Level | None = None
    department: str | None = None
    issuing_body: str | None = None
    promulgated_at: date | None = None
    effective_at: date | None = None
    status: Status = Status.current
    source_path: str | None = None

    def stable_id(self) -> str:
        return statute_article_id(
            self.law_title, self.article_num, self.article_suffix, self.law_version
        )


def statute_article_id(
    law_title: str,
    article_num: int,
    article_suffix: int | None = None,
    law_version: str | None = None,
) -> str:
    """Id of an article computed from its citation, so cases can link to it by reference."""
    return stable_key("sa", law_key(law_title, law_version), article_num, article_suffix or "")


class CitedArticle(BaseModel):
    model_config = ConfigDict(extra="forbid")
    law_title: str
    article_no: str
    article_id: str | None = None


class Case(BaseDocument):
    type: ClassVar[DocType] = DocType.case
    case_no: str | None = None
    court: str | None = None
    court_level: str | None = None
    decided_at: date | None = None
    cause: str | None = Field(default=None, description="案由")
    case_type: str | None = Field(default=None, description="民事/刑事/行政…")
    category: str | None = Field(default=None, description="典型案例/指导性案例")
    sections: dict[str, str] = Field(default_factory=dict)
    cites: list[CitedArticle] = Field(default_factory=list)

    def stable_id(self) -> str:
        return stable_key("case", self.case_no or self.url or self.title)


class Video(BaseDocument):
    type: ClassVar[DocType] = DocType.video
    duration_seconds: int | None = Field(default=None, ge=0)
    cover_url: str | None = None
    play_url: str | None = None
    publisher: str | None = None
    court: str | None = None
    case_no: str | None = None
    transcript: str | None = None
    tags: list[str] = Field(default_factory=list)
    cites: list[CitedArticle] = Field(default_factory=list)

    def stable_id(self) -> str:
        return stable_key("video", self.url or self.play_url or self.title)


class Service(BaseDocument):
    type: ClassVar[DocType] = DocType.service
    kind: ServiceKind
    address: str | None = None
    phone: str | None = None
    hours: str | None = None
    services: list[str] = Field(default_factory=list)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    def stable_id(self) -> str:
        return stable_key("svc", self.title, self.region, self.address)


class Article(BaseDocument):
    type: ClassVar[DocType] = DocType.article
    author: str | None = None
    cites: list[CitedArticle] = Field(default_factory=list)

    def stable_id(self) -> str:
        return stable_key("art", self.url or self.title)


DOCUMENT_CLASSES: dict[str, type[BaseDocument]] = {
    cls.type.value: cls for cls in (StatuteArticle, Case, Video, Service, Article)
}


def document_from_record(doc_type: str, data: dict[str, Any]) -> BaseDocument:
    """Rebuild a typed document from a flat record (catalog row or API payload)."""
    try:
        cls = DOCUMENT_CLASSES[doc_type]
    except KeyError:
        raise ValueError(f"unknown document type {doc_type!r}") from None
    payload = {k: v for k, v in data.items() if k != "type"}
    return cls.model_validate(payload)
