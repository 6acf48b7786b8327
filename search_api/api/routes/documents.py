"""``GET /api/v1/documents/{id}``: one document from the catalog, with its linked content.

An article page lists the cases, videos and 普法 articles citing it and its
neighbouring articles; a case lists the articles it cites; every page offers
related items (``indexer.search.links``).

Answers carry a weak ``ETag`` computed from the body, so a mini-app that keeps
a document sends ``If-None-Match`` and gets ``304 Not Modified`` without the
body while nothing it shows changed (content, tags, links, neighbours).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Path, Query, Response

from indexer.search.links import document_links
from indexer.search.neighbours import neighbours
from indexer.search.service import STATUS_LABELS
from search_api.api.deps import CatalogDep, RuntimeDep, SettingsDep, rate_limited
from search_api.api.errors import ApiError
from search_api.core.enrich import enrich, resolve_near
from search_api.schemas import DocumentResponse, error_responses

router = APIRouter(tags=["documents"], dependencies=[rate_limited("documents")])

#: Clients may keep a copy but must revalidate it (cheap with If-None-Match).
CACHE_CONTROL = "no-cache"


def etag_for(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/"x"`` matches ``"x"``; ``*`` matches all."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentResponse,
    responses={
        **error_responses(401, 404, 422, 429),
        304: {"description": "not modified (If-None-Match)"},
    },
)
def get_document(
    catalog: CatalogDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    doc_id: Annotated[str, Path(min_length=1, max_length=64)],
    links: Annotated[bool, Query(description="附带引用/被引用/相关内容")] = True,
    near: Annotated[
        str | None,
        Query(max_length=100, description="所在地 (地名、路径或 纬度,经度), 服务给出距离"),
    ] = None,
    if_none_match: Annotated[str | None, Header(description="上次响应的 ETag")] = None,
) -> Response:
    point = resolve_near(near)
    record = catalog.get(doc_id)
    if record is None:
        raise ApiError(
            404, "not_found", f"no document with id {doc_id!r}", field="doc_id", location="path"
        )
    record.pop("rev", None)
    label = STATUS_LABELS.get(record.get("status") or "")
    if label:
        record["status_label"] = label
    # The cases, videos and articles that cite a statute article (from their parsed
    # citations): read once, for ``cited_by`` and for the grouped ``links.cited_by``.
    citing = catalog.links_to(doc_id) if record["type"] == "statute_article" else None
    if links:
        record["links"] = document_links(catalog, runtime.backend, record, citing)
    if record["type"] == "statute_article":
        record["neighbours"] = neighbours(catalog, record)
    # Every automatic suggestion with confidence and provenance, for review; the
    # effective tags above already reflect editors' decisions.
    record["suggestions"] = catalog.suggestions(doc_id)
    if citing is not None:
        record["cited_by"] = citing
    enrich(record, settings, point)
    body = orjson.dumps(DocumentResponse.model_validate(record).model_dump(mode="json"))
    etag = etag_for(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
